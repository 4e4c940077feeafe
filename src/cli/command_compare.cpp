// `driftd compare --reference PATH... --current PATH... [--json] [--fail-on warn|alarm]`
// (SPEC §2, §6): an offline drift report between two sets of audio files. No database, no
// daemon: both sets are analysed with the config's `features` settings, the reference is
// built from --reference exactly as `baseline import` builds one, --current is binned with
// its edges and scored with the config's `drift` thresholds (min_windows included).
//
// Config: the file named by --config / $DRIFTD_CONFIG, or config/driftd.yaml when it
// exists; otherwise the built-in defaults (said on stderr). Output: with --json the
// GET /api/v1/drift shape without `predictions` (model_version: edge_impulse.model_version
// or "default"; device_id null; evaluated_at and both ends of `window` are the time of the
// comparison, which has no time window of its own); else a table sorted by PSI.
// Exit: 0 whatever it finds; 3 with --fail-on at that status or worse; 2 on usage or
// config errors; 1 when a file cannot be read or decoded (an error here, unlike import).

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "driftd/cli/commands.hpp"
#include "driftd/drift/evaluation.hpp"
#include "driftd/drift/reference_builder.hpp"
#include "driftd/drift/thresholds.hpp"
#include "offline_config.hpp"
#include "training_clips.hpp"

namespace driftd::cli {

namespace {

constexpr const char* k_compare = "driftd compare";
constexpr int k_exit_drift = 3;
constexpr std::size_t k_compare_progress_every = 200;

struct CompareArgs {
  std::vector<std::string> reference;
  std::vector<std::string> current;
  bool json = false;
  std::string fail_on;  // "", "warn" or "alarm"
};

// The drift feature windows of every file under `paths`, or nothing after reporting the
// first file that cannot be read or decoded.
std::optional<std::vector<drift::ClipFeatures>> analyze_set(const audio::ClipAnalyzer& analyzer,
                                                            const std::vector<std::string>& paths,
                                                            const std::string& which) {
  auto files = collect_audio_files(paths);
  if (!files) {
    std::cerr << k_compare << ": " << which << ": " << files.error().message << "\n";
    return std::nullopt;
  }
  if (files->empty()) {
    std::cerr << k_compare << ": " << which << ": no .wav or .flac file under the paths given\n";
    return std::nullopt;
  }
  Progress progress(std::cerr, std::string(k_compare) + " (" + which + ")", "files", files->size(),
                    k_compare_progress_every);
  std::vector<drift::ClipFeatures> clips;
  for (const AudioFile& file : *files) {
    auto features = analyze_file(analyzer, file.path);
    if (!features) {
      std::cerr << k_compare << ": cannot read " << file.path.string() << ": "
                << features.error().message << " (" << features.error().code << ")\n";
      return std::nullopt;
    }
    clips.push_back(drift::drift_vectors(features.value()));
    progress.done(clips.back().size());
  }
  if (files->size() >= k_compare_progress_every) progress.finish();
  return clips;
}

std::string fixed(const std::optional<stats::Divergences>& scores, double stats::Divergences::*m) {
  if (!scores) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(6) << (*scores).*m;
  return out.str();
}

void print_table(const drift::Evaluation& evaluation, std::size_t reference_files,
                 std::size_t current_files, std::int64_t min_windows) {
  std::vector<const drift::FeatureScore*> rows;
  for (const auto& feature : evaluation.features) rows.push_back(&feature);
  auto psi = [](const drift::FeatureScore* f) {
    return f->score.scores ? f->score.scores->psi : -1.0;
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const auto* a, const auto* b) { return psi(a) > psi(b); });
  std::cout << "reference: " << evaluation.reference_windows << " windows from " << reference_files
            << " files\n"
            << "current:   " << evaluation.current_windows << " windows from " << current_files
            << " files\n\n"
            << std::left << std::setw(12) << "feature" << std::right << std::setw(12) << "psi"
            << std::setw(12) << "kl" << std::setw(12) << "js"
            << "  status\n";
  for (const auto* row : rows) {
    std::cout << std::left << std::setw(12) << row->name << std::right << std::setw(12)
              << fixed(row->score.scores, &stats::Divergences::psi) << std::setw(12)
              << fixed(row->score.scores, &stats::Divergences::kl) << std::setw(12)
              << fixed(row->score.scores, &stats::Divergences::js) << "  "
              << drift::to_string(row->score.status) << "\n";
  }
  std::cout << "\nstatus: " << drift::to_string(evaluation.status);
  if (evaluation.status == drift::DriftStatus::insufficient_data) {
    std::cout << " (fewer than drift.min_windows = " << min_windows << " current windows)";
  }
  std::cout << "\n";
}

bool fails(drift::DriftStatus status, const std::string& fail_on) {
  if (fail_on == "alarm") return status == drift::DriftStatus::alarm;
  if (fail_on == "warn") {
    return status == drift::DriftStatus::warn || status == drift::DriftStatus::alarm;
  }
  return false;
}

int run_compare(const Options& options, const CompareArgs& args) {
  auto config = load_config_or_defaults(options, k_compare);
  if (!config) return k_exit_usage;
  auto analyzer = audio::ClipAnalyzer::create(config->features);
  if (!analyzer) {
    std::cerr << k_compare << ": " << analyzer.error().message << "\n";
    return k_exit_usage;
  }
  const auto reference_clips = analyze_set(analyzer.value(), args.reference, "--reference");
  if (!reference_clips) return k_exit_failure;
  const auto current_clips = analyze_set(analyzer.value(), args.current, "--current");
  if (!current_clips) return k_exit_failure;

  const drift::ReferenceShape shape = drift::reference_shape(config->features, config->drift);
  std::vector<drift::LabeledClip> labeled;
  labeled.reserve(reference_clips->size());
  for (const auto& clip : *reference_clips) labeled.push_back({std::nullopt, clip});
  auto reference = drift::build_training_reference(shape, labeled);
  if (!reference) {
    std::cerr << k_compare << ": the reference: " << reference.error().message << "\n";
    return k_exit_failure;
  }
  auto current = drift::bin_sample(reference.value(), *current_clips, shape.geometry);
  if (!current) {
    std::cerr << k_compare << ": the current set: " << current.error().message << "\n";
    return k_exit_failure;
  }
  const util::UnixMs now = util::now_ms();
  const drift::EvaluationContext context{
      model_version_or_default(std::nullopt, config->edge_impulse.model_version), std::nullopt, now,
      now, now};
  auto evaluation =
      drift::evaluate(reference.value(), drift::CurrentSample{std::move(current).value(), {}},
                      drift::thresholds_from(config->drift), context);
  if (!evaluation) {
    std::cerr << k_compare << ": " << evaluation.error().message << "\n";
    return k_exit_failure;
  }
  if (args.json) {
    std::cout << drift::to_json(evaluation.value()).dump() << "\n";
  } else {
    print_table(evaluation.value(), reference_clips->size(), current_clips->size(),
                config->drift.min_windows);
  }
  return fails(evaluation->status, args.fail_on) ? k_exit_drift : k_exit_ok;
}

}  // namespace

void add_compare_command(CLI::App& app, Options& options, int& exit_code) {
  auto args = std::make_shared<CompareArgs>();
  auto* compare = app.add_subcommand(
      "compare",
      "Offline drift report between two sets of audio files (needs no database or daemon)");
  compare->add_option("--reference", args->reference, "Reference audio files and folders")
      ->required()
      ->expected(1, -1);
  compare->add_option("--current", args->current, "Current audio files and folders")
      ->required()
      ->expected(1, -1);
  compare->add_flag("--json", args->json,
                    "Print the GET /api/v1/drift shape (without predictions) as one JSON object");
  compare
      ->add_option("--fail-on", args->fail_on,
                   "Exit 3 when the overall status is at this level or worse")
      ->check(CLI::IsMember({"warn", "alarm"}));
  compare->callback([&options, &exit_code, args] { exit_code = run_compare(options, *args); });
}

}  // namespace driftd::cli
