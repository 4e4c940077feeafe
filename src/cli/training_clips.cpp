#include "training_clips.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <system_error>

namespace driftd::cli {

namespace {

namespace fs = std::filesystem;

bool has_audio_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".wav" || ext == ".flac";
}

Error missing(const std::string& path, const std::string& why) {
  return make_error("missing_path", path + ": " + why);
}

Result<std::vector<fs::path>> files_under(const fs::path& folder) {
  std::vector<fs::path> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && has_audio_extension(it->path())) {
      found.push_back(it->path());
    }
  }
  if (ec) return missing(folder.string(), "cannot list the folder: " + ec.message());
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

std::string folder_label(const fs::path& file) {
  std::error_code ec;
  fs::path absolute = fs::absolute(file, ec);
  if (ec) absolute = file;
  return absolute.lexically_normal().parent_path().filename().string();
}

Result<std::vector<AudioFile>> collect_audio_files(std::span<const std::string> paths) {
  std::vector<AudioFile> files;
  for (const std::string& given : paths) {
    const fs::path path(given);
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) return missing(given, "no such file or folder");
    if (fs::is_directory(status)) {
      auto found = files_under(path);
      if (!found) return found.error();
      for (auto& file : found.value()) files.push_back({file, folder_label(file)});
    } else if (fs::is_regular_file(status)) {
      files.push_back({path, folder_label(path)});
    } else {
      return missing(given, "neither a file nor a folder");
    }
  }
  return files;
}

Result<audio::ClipFeatures> analyze_file(const audio::ClipAnalyzer& analyzer,
                                         const fs::path& file) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) return make_error("unreadable_file", "cannot read the file: " + ec.message());
  if (size > k_max_audio_file_bytes) {
    return make_error("unreadable_file", "the file is larger than " +
                                             std::to_string(k_max_audio_file_bytes >> 20) + " MiB");
  }
  std::ifstream in(file, std::ios::binary);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  if (!in || !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
    return make_error("unreadable_file", "cannot read the file");
  }
  return analyzer.analyze_bytes(bytes);
}

std::string paths_summary(std::span<const std::string> paths, std::size_t max_chars) {
  if (paths.empty()) return "";
  std::string summary = paths.front();
  const std::string more =
      paths.size() > 1 ? " (+" + std::to_string(paths.size() - 1) + " more)" : "";
  const std::size_t room = max_chars > more.size() + 3 ? max_chars - more.size() : 3;
  if (summary.size() > room) summary = "..." + summary.substr(summary.size() - (room - 3));
  return summary + more;
}

Progress::Progress(std::ostream& out, std::string prefix, std::string unit, std::size_t total,
                   std::size_t every)
    : m_out(out),
      m_prefix(std::move(prefix)),
      m_unit(std::move(unit)),
      m_total(total),
      m_every(std::max<std::size_t>(every, 1)) {}

void Progress::done(std::size_t windows) {
  m_windows += windows;
  step();
}

void Progress::skipped() {
  ++m_skipped;
  step();
}

void Progress::step() {
  ++m_items;
  if (m_items % m_every == 0 && m_items < m_total) print();
}

void Progress::finish() {
  if (m_finished) return;
  m_finished = true;
  print();
}

void Progress::print() {
  m_out << m_prefix << ": " << m_items << "/" << m_total << " " << m_unit << ", " << m_windows
        << " windows, " << m_skipped << " skipped" << std::endl;
}

void print_reference_summary(std::ostream& out, std::string_view model_version,
                             std::int64_t reference_id, std::string_view source,
                             const drift::Reference& reference,
                             std::span<const drift::LabeledClip> clips) {
  out << "reference " << reference_id << " stored for model version " << model_version << "\n"
      << "  source:   " << source << "\n"
      << "  clips:    " << reference.counts.clips() << "\n"
      << "  windows:  " << reference.counts.windows() << "\n"
      << "  features: " << reference.features.size() << " (" << reference.counts.bins()
      << " bins each)\n"
      << "labels:\n";
  for (const auto& [label, tally] : drift::tally_labels(clips)) {
    out << "  " << std::left << std::setw(24) << (label.empty() ? "(unlabeled)" : label)
        << std::right << std::setw(8) << tally.clips << " clips " << std::setw(10) << tally.windows
        << " windows\n";
  }
}

std::string model_version_or_default(const std::optional<std::string>& given,
                                     const std::string& configured) {
  if (given) return *given;
  return configured.empty() ? "default" : configured;
}

}  // namespace driftd::cli
