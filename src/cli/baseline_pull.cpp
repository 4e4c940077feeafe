// `driftd baseline pull`, as a list of steps: check the settings, open the database, list
// the project's training samples, fetch each one (from the cache or the Studio API) and
// analyse it, then build and store the reference.

#include "baseline_pull.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <random>
#include <set>
#include <span>
#include <thread>

#include "driftd/cli/commands.hpp"
#include "driftd/clients/edge_impulse_studio.hpp"
#include "driftd/drift/reference_builder.hpp"
#include "driftd/store/ids.hpp"
#include "driftd/store/references.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/store_config.hpp"
#include "driftd/util/secrets.hpp"
#include "training_clips.hpp"

namespace driftd::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* k_prefix = "driftd baseline pull";
constexpr const char* k_category = "training";
// Tries of one call before a transient failure is given up on, and the first wait.
constexpr int k_attempts = 4;
constexpr std::chrono::milliseconds k_first_backoff{250};
// A service asking to wait longer than this is not waited for: the pull stops (rerun it).
constexpr std::chrono::milliseconds k_longest_wait = std::chrono::minutes(5);
constexpr std::size_t k_progress_every = 20;

// Calls `call` until it succeeds, fails permanently, or k_attempts transient failures.
template <typename Call>
auto with_retries(Call&& call, std::ostream& err) -> decltype(call()) {
  std::mt19937_64 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.75, 1.25);
  std::chrono::milliseconds backoff = k_first_backoff;
  for (int attempt = 1;; ++attempt) {
    auto result = call();
    if (result.ok() || !result.error().transient() || attempt >= k_attempts) return result;
    auto wait = std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(backoff.count()) * jitter(random)));
    if (result.error().retry_after) wait = std::max(wait, *result.error().retry_after);
    if (wait > k_longest_wait) return result;
    err << k_prefix << ": " << result.error().message << "; retrying in "
        << static_cast<double>(wait.count()) / 1000.0 << " s (attempt " << attempt + 1 << " of "
        << k_attempts << ")" << std::endl;
    std::this_thread::sleep_for(wait);
    backoff *= 2;
  }
}

// Every training sample of the project, page by page (limit/offset until totalCount),
// each id once even if the listing shifts between pages.
clients::RemoteResult<std::vector<clients::SampleInfo>> list_training_samples(
    const clients::StudioClient& studio, int page_size, std::ostream& err) {
  std::vector<clients::SampleInfo> samples;
  std::set<std::int64_t> seen;
  std::int64_t offset = 0;
  std::int64_t total = 1;
  while (offset < total) {
    auto page = with_retries(
        [&] { return studio.list_samples(k_category, page_size, static_cast<int>(offset)); }, err);
    if (!page) return page.error();
    total = page->total_count;
    if (page->samples.empty()) break;
    offset += static_cast<std::int64_t>(page->samples.size());
    for (auto& sample : page->samples) {
      if (seen.insert(sample.id).second) samples.push_back(std::move(sample));
    }
  }
  return samples;
}

// The downloaded WAVs of one project, by sample id.
class PullCache {
 public:
  explicit PullCache(fs::path dir) : m_dir(std::move(dir)) {}

  const fs::path& dir() const { return m_dir; }

  // Creates the folder and removes temporary files a killed run left behind.
  Status prepare() const {
    std::error_code ec;
    fs::create_directories(m_dir, ec);
    if (ec) return make_error("cache_unavailable", m_dir.string() + ": " + ec.message());
    for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
      if (entry.path().filename().string().starts_with(".tmp-")) fs::remove(entry.path(), ec);
    }
    return Ok{};
  }

  // The cached bytes of a sample, or nothing.
  std::optional<std::string> get(std::int64_t id) const {
    std::ifstream in(path(id), std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // Stores a sample's bytes: a temporary file renamed into place.
  Status put(std::int64_t id, const std::string& bytes) const {
    const fs::path tmp = m_dir / (".tmp-" + std::to_string(id));
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out.flush()) return make_error("cache_unavailable", "cannot write " + tmp.string());
    }
    std::error_code ec;
    fs::rename(tmp, path(id), ec);
    if (ec) return make_error("cache_unavailable", "cannot write " + path(id).string());
    return Ok{};
  }

  void remove() const {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }

 private:
  fs::path path(std::int64_t id) const { return m_dir / (std::to_string(id) + ".wav"); }

  fs::path m_dir;
};

fs::path cache_dir(const config::Config& config) {
  return fs::path(config.storage.database).parent_path() / "pull-cache" /
         std::to_string(config.edge_impulse.project_id);
}

// A download failure that concerns this sample alone (skip it) rather than the pull.
bool sample_specific(const clients::RemoteError& error) {
  using clients::RemoteErrorKind;
  return error.kind == RemoteErrorKind::not_found || error.kind == RemoteErrorKind::invalid ||
         error.kind == RemoteErrorKind::protocol;
}

enum class Fetch { ok, skip, abort };

struct Fetched {
  Fetch outcome = Fetch::ok;
  std::string bytes;
  bool from_cache = false;
};

Fetched fetch(const clients::StudioClient& studio, const PullCache& cache,
              const clients::SampleInfo& sample, std::ostream& err) {
  if (auto cached = cache.get(sample.id)) return {Fetch::ok, std::move(*cached), true};
  auto wav = with_retries([&] { return studio.download_wav(sample.id); }, err);
  if (!wav) {
    err << k_prefix << ": " << (sample_specific(wav.error()) ? "skipped: " : "")
        << wav.error().message << std::endl;
    return {sample_specific(wav.error()) ? Fetch::skip : Fetch::abort, {}, false};
  }
  if (Status kept = cache.put(sample.id, wav.value()); !kept) {
    err << k_prefix << ": " << kept.error().message << std::endl;
    return {Fetch::abort, {}, false};
  }
  return {Fetch::ok, std::move(wav).value(), false};
}

}  // namespace

int run_baseline_pull(const config::Config& config, const PullArgs& args, std::ostream& out,
                      std::ostream& err) {
  const std::string version =
      model_version_or_default(args.model_version, config.edge_impulse.model_version);
  if (!store::is_valid_model_version(version)) {
    err << k_prefix << ": model version \"" << version
        << "\" must be 1-64 characters of A-Za-z0-9._:-" << std::endl;
    return k_exit_usage;
  }
  if (config.edge_impulse.project_id <= 0) {
    err << k_prefix << ": edge_impulse.project_id is not set: it names the project to pull from"
        << std::endl;
    return k_exit_usage;
  }
  const auto key = util::read_secret(config.edge_impulse.api_key_env);
  if (!key) {
    err << k_prefix << ": no Edge Impulse API key: set the environment variable (or systemd "
        << "credential) " << config.edge_impulse.api_key_env << " (edge_impulse.api_key_env)"
        << std::endl;
    return k_exit_usage;
  }
  auto analyzer = audio::ClipAnalyzer::create(config.features);
  if (!analyzer) {
    err << k_prefix << ": " << analyzer.error().message << std::endl;
    return k_exit_usage;
  }
  auto opened =
      store::Store::open(store::store_options_from_config(config.storage), util::now_ms());
  if (!opened) {
    err << k_prefix << ": cannot open the database " << config.storage.database << ": "
        << opened.error().message << std::endl;
    return k_exit_failure;
  }
  store::Store& db = *opened.value();

  const clients::StudioClient studio(net::HttpClient{}, config.edge_impulse, *key);
  auto samples = list_training_samples(studio, std::max(args.page_size, 1), err);
  if (!samples) {
    err << k_prefix << ": " << samples.error().message << std::endl;
    return k_exit_failure;
  }
  const std::vector<clients::SampleInfo>& listed = samples.value();
  if (listed.empty()) {
    err << k_prefix << ": project " << config.edge_impulse.project_id
        << " has no training samples: nothing stored" << std::endl;
    return k_exit_failure;
  }
  const PullCache cache(cache_dir(config));
  if (Status ready = cache.prepare(); !ready) {
    err << k_prefix << ": " << ready.error().message << std::endl;
    return k_exit_failure;
  }

  err << k_prefix << ": project " << config.edge_impulse.project_id << " has " << listed.size()
      << " training samples (downloads kept in " << cache.dir().string() << ")" << std::endl;
  Progress progress(err, k_prefix, "samples", listed.size(), k_progress_every);
  std::vector<drift::LabeledClip> clips;
  std::size_t cached = 0;
  for (const auto& sample : listed) {
    Fetched fetched = fetch(studio, cache, sample, err);
    if (fetched.outcome == Fetch::abort) {
      err << k_prefix << ": stopped after " << progress.items() << " of " << listed.size()
          << " samples; run it again to resume" << std::endl;
      return k_exit_failure;
    }
    if (fetched.outcome == Fetch::skip) {
      progress.skipped();
      continue;
    }
    cached += fetched.from_cache ? 1 : 0;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(fetched.bytes.data());
    auto features = analyzer->analyze_bytes(std::span(bytes, fetched.bytes.size()));
    if (!features) {
      err << k_prefix << ": skipped sample " << sample.id << " (" << sample.filename
          << "): " << features.error().message << " (" << features.error().code << ")" << std::endl;
      progress.skipped();
      continue;
    }
    clips.push_back({sample.label, drift::drift_vectors(features.value())});
    progress.done(clips.back().windows.size());
  }
  progress.finish();
  if (cached > 0) err << k_prefix << ": " << cached << " samples came from the cache" << std::endl;
  if (clips.empty()) {
    err << k_prefix << ": none of the " << listed.size()
        << " samples could be analysed: nothing stored" << std::endl;
    return k_exit_failure;
  }

  auto reference =
      drift::build_training_reference(drift::reference_shape(config.features, config.drift), clips);
  if (!reference) {
    err << k_prefix << ": " << reference.error().message << std::endl;
    return k_exit_failure;
  }
  const std::string source = "pull:project " + std::to_string(config.edge_impulse.project_id);
  auto id = store::save_reference(db, version, source, reference.value(), util::now_ms());
  if (!id) {
    err << k_prefix << ": cannot store the reference: " << id.error().message << std::endl;
    return k_exit_failure;
  }
  if (!args.keep_cache) cache.remove();
  print_reference_summary(out, version, id.value(), source, reference.value(), clips);
  return k_exit_ok;
}

}  // namespace driftd::cli
