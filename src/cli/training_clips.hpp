#pragma once
// What `driftd baseline import`, `driftd baseline pull` and `driftd compare` share: finding
// audio files under the paths given, analysing them, reporting progress on stderr and
// summarising a reference on stdout.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/drift/reference_builder.hpp"
#include "driftd/util/result.hpp"

namespace driftd::cli {

// The largest file read as a clip (a bigger one is refused before it is read).
inline constexpr std::uintmax_t k_max_audio_file_bytes = 512ull * 1024 * 1024;

// An audio file given on the command line or found in a folder given there.
struct AudioFile {
  std::filesystem::path path;
  std::string label;  // the name of the folder holding it
};

// Expands PATH arguments in order: a file is taken as it is, whatever its name; a folder
// is searched recursively (symbolic links to folders are not followed) for files ending in
// .wav or .flac in any case, in sorted path order. A path that does not exist, or that is
// neither a file nor a folder, is an error (code "missing_path") naming it.
Result<std::vector<AudioFile>> collect_audio_files(std::span<const std::string> paths);

// The name of the folder holding `file` (of its absolute path: "x.wav" in the working
// folder takes that folder's name).
std::string folder_label(const std::filesystem::path& file);

// Reads a file (at most k_max_audio_file_bytes) and analyses it; errors say why (the
// audio module's codes, or "unreadable_file").
Result<audio::ClipFeatures> analyze_file(const audio::ClipAnalyzer& analyzer,
                                         const std::filesystem::path& file);

// A short description of the paths for a reference's source: the first one, then
// "(+N more)"; at most `max_chars` characters.
std::string paths_summary(std::span<const std::string> paths, std::size_t max_chars = 200);

// Progress of a long run as lines on a stream: every `every` items and at the end,
// "<prefix>: D/T <unit>, W windows, S skipped".
class Progress {
 public:
  Progress(std::ostream& out, std::string prefix, std::string unit, std::size_t total,
           std::size_t every);

  // One item done with `windows` windows.
  void done(std::size_t windows);
  // One item skipped.
  void skipped();
  // The closing line (once).
  void finish();

  std::size_t items() const { return m_items; }
  std::size_t skipped_count() const { return m_skipped; }
  std::uint64_t windows() const { return m_windows; }

 private:
  void step();
  void print();

  std::ostream& m_out;
  std::string m_prefix;
  std::string m_unit;
  std::size_t m_total;
  std::size_t m_every;
  std::size_t m_items = 0;
  std::size_t m_skipped = 0;
  std::uint64_t m_windows = 0;
  bool m_finished = false;
};

// The lines a stored reference is announced with: model version, id, clips, windows,
// bins, features, source, then one line per label with its clips and windows.
void print_reference_summary(std::ostream& out, std::string_view model_version,
                             std::int64_t reference_id, std::string_view source,
                             const drift::Reference& reference,
                             std::span<const drift::LabeledClip> clips);

// The model version a command works on: `given` when set, else the config's
// edge_impulse.model_version, else "default".
std::string model_version_or_default(const std::optional<std::string>& given,
                                     const std::string& configured);

}  // namespace driftd::cli
