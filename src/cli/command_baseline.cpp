// `driftd baseline import [--model-version V] PATH...` and `driftd baseline pull
// [--model-version V]` (SPEC §2): build the reference of a model version from WAV files or
// from the Edge Impulse project's training data, and store it (replacing the version's
// active reference, which stays as history). docs/drift.md, "References".
//
// import: files are taken as given, folders searched recursively for .wav/.flac; a clip's
// label is its folder's name. A file that cannot be decoded is reported and skipped; when
// none decodes nothing is stored (exit 1). The reference is stored in one write job.

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "baseline_pull.hpp"
#include "driftd/cli/commands.hpp"
#include "driftd/drift/reference_builder.hpp"
#include "driftd/store/ids.hpp"
#include "driftd/store/references.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/store_config.hpp"
#include "training_clips.hpp"

namespace driftd::cli {

namespace {

constexpr const char* k_import = "driftd baseline import";
constexpr std::size_t k_import_progress_every = 50;

struct ImportArgs {
  std::optional<std::string> model_version;
  std::vector<std::string> paths;
};

// The analysed clips of `files`, skipping (and reporting) those that do not decode.
std::vector<drift::LabeledClip> analyze_all(const audio::ClipAnalyzer& analyzer,
                                            const std::vector<AudioFile>& files) {
  Progress progress(std::cerr, k_import, "files", files.size(), k_import_progress_every);
  std::vector<drift::LabeledClip> clips;
  for (const AudioFile& file : files) {
    auto features = analyze_file(analyzer, file.path);
    if (!features) {
      std::cerr << k_import << ": skipped " << file.path.string() << ": "
                << features.error().message << " (" << features.error().code << ")" << std::endl;
      progress.skipped();
      continue;
    }
    clips.push_back({file.label, drift::drift_vectors(features.value())});
    progress.done(clips.back().windows.size());
  }
  progress.finish();
  return clips;
}

int run_import(const Options& options, const ImportArgs& args) {
  auto config = load_config(options);
  if (!config) return k_exit_usage;
  const std::string version =
      model_version_or_default(args.model_version, config->edge_impulse.model_version);
  if (!store::is_valid_model_version(version)) {
    std::cerr << k_import << ": model version \"" << version
              << "\" must be 1-64 characters of A-Za-z0-9._:-\n";
    return k_exit_usage;
  }
  auto analyzer = audio::ClipAnalyzer::create(config->features);
  if (!analyzer) {
    std::cerr << k_import << ": " << analyzer.error().message << "\n";
    return k_exit_usage;
  }
  auto files = collect_audio_files(args.paths);
  if (!files) {
    std::cerr << k_import << ": " << files.error().message << "\n";
    return k_exit_usage;
  }
  if (files->empty()) {
    std::cerr << k_import << ": no .wav or .flac file under the paths given: nothing stored\n";
    return k_exit_failure;
  }
  auto opened =
      store::Store::open(store::store_options_from_config(config->storage), util::now_ms());
  if (!opened) {
    std::cerr << k_import << ": cannot open the database " << config->storage.database << ": "
              << opened.error().message << "\n";
    return k_exit_failure;
  }

  const std::vector<drift::LabeledClip> clips = analyze_all(analyzer.value(), files.value());
  if (clips.empty()) {
    std::cerr << k_import << ": none of the " << files->size()
              << " files could be decoded: nothing stored\n";
    return k_exit_failure;
  }
  auto reference = drift::build_training_reference(
      drift::reference_shape(config->features, config->drift), clips);
  if (!reference) {
    std::cerr << k_import << ": " << reference.error().message << "\n";
    return k_exit_failure;
  }
  const std::string source = "import:" + paths_summary(args.paths);
  auto id =
      store::save_reference(*opened.value(), version, source, reference.value(), util::now_ms());
  if (!id) {
    std::cerr << k_import << ": cannot store the reference: " << id.error().message << "\n";
    return k_exit_failure;
  }
  print_reference_summary(std::cout, version, id.value(), source, reference.value(), clips);
  return k_exit_ok;
}

}  // namespace

void add_baseline_commands(CLI::App& app, Options& options, int& exit_code) {
  auto* baseline = app.add_subcommand(
      "baseline", "Build and store the reference (training-data) distribution of a model version");
  baseline->require_subcommand(1);

  auto import_args = std::make_shared<ImportArgs>();
  auto* import = baseline->add_subcommand(
      "import",
      "Build the reference from WAV/FLAC files; a folder is searched recursively and a clip's "
      "label is its folder's name");
  import->add_option("--model-version", import_args->model_version,
                     "Model version (default: edge_impulse.model_version, else \"default\")");
  import->add_option("PATH", import_args->paths, "Audio files and folders")->required();
  import->callback([&options, &exit_code, import_args] {
    exit_code = run_import(options, *import_args);
});

auto pull_args = std::make_shared<PullArgs>();
auto* pull = baseline->add_subcommand(
    "pull",
    "Build the reference from the Edge Impulse project's training samples (downloads their "
    "WAVs through the Studio API; a rerun resumes)");
pull->add_option("--model-version", pull_args->model_version,
                 "Model version (default: edge_impulse.model_version, else \"default\")");
pull->add_option("--page-size", pull_args->page_size, "Samples per listing request")
    ->check(CLI::Range(1, 1000))
    ->capture_default_str();
pull->add_flag("--keep-cache", pull_args->keep_cache,
               "Keep the downloaded WAVs after the reference is stored");
pull->callback([&options, &exit_code, pull_args] {
  auto config = load_config(options);
  if (!config) {
    exit_code = k_exit_usage;
    return;
  }
  exit_code = run_baseline_pull(*config, *pull_args, std::cout, std::cerr);
});
}  // namespace driftd::cli

}  // namespace driftd::cli
