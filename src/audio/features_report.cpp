// Output of `driftd features`: the one place in the audio module that touches a file.

#include "driftd/audio/features_report.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <ostream>
#include <vector>

#include "driftd/audio/audio_errors.hpp"

namespace driftd::audio {

namespace {

nlohmann::json matrix_json(const FeatureMatrix& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t r = 0; r < m.rows; ++r) {
    const auto row = m.row(r);
    rows.push_back(nlohmann::json(std::vector<double>(row.begin(), row.end())));
  }
  return rows;
}

Result<std::vector<std::uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("io_error", "cannot open the file");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) return make_error("io_error", "cannot read the file");
  return bytes;
}

}  // namespace

nlohmann::json features_to_json(const ClipFeatures& clip) {
  nlohmann::json windows = nlohmann::json::array();
  for (const WindowFeatures& w : clip.windows) {
    windows.push_back({{"start_ms", w.start_ms},
                       {"mfcc", matrix_json(w.mfcc)},
                       {"mfcc_raw", matrix_json(w.mfcc_raw)},
                       {"rms_dbfs", w.rms_dbfs}});
  }
  return {{"sample_rate_hz", clip.sample_rate_hz}, {"windows", std::move(windows)}};
}

std::string features_to_text(const ClipFeatures& clip) {
  std::string text;
  char cell[64];
  std::size_t coefficients = clip.windows.empty() ? 0 : clip.windows.front().mfcc_raw.cols;
  std::snprintf(cell, sizeof cell, "%10s %10s %7s", "start_ms", "rms_dbfs", "frames");
  text += cell;
  for (std::size_t c = 0; c < coefficients; ++c) {
    std::snprintf(cell, sizeof cell, " %9s", ("mfcc_" + std::to_string(c)).c_str());
    text += cell;
  }
  text += '\n';
  for (const WindowFeatures& w : clip.windows) {
    const std::vector<double> drift = drift_features(w);
    std::snprintf(cell, sizeof cell, "%10lld %10.3f %7zu", static_cast<long long>(w.start_ms),
                  w.rms_dbfs, w.mfcc_raw.rows);
    text += cell;
    for (std::size_t c = 0; c + 1 < drift.size(); ++c) {
      std::snprintf(cell, sizeof cell, " %9.4f", drift[c]);
      text += cell;
    }
    text += '\n';
  }
  std::snprintf(cell, sizeof cell, "%zu window(s) at %d Hz%s\n", clip.windows.size(),
                clip.sample_rate_hz, clip.zero_padded ? ", zero-padded to one window" : "");
  text += cell;
  return text;
}

int run_features_command(const std::string& path, bool json, const config::Features& features,
                         std::ostream& out, std::ostream& err) {
  auto analyzer = ClipAnalyzer::create(features);
  if (!analyzer) {
    err << "driftd features: invalid configuration: " << analyzer.error().field << ": "
        << analyzer.error().message << "\n";
    return 2;
  }
  auto bytes = read_file(path);
  if (!bytes) {
    err << "driftd features: " << path << ": " << bytes.error().message << "\n";
    return 1;
  }
  auto clip = analyzer->analyze_bytes(bytes.value());
  if (!clip) {
    err << "driftd features: " << path << ": " << clip.error().message << " (" << clip.error().code
        << ")\n";
    return 1;
  }
  if (json) {
    out << features_to_json(clip.value()).dump() << "\n";
  } else {
    out << features_to_text(clip.value());
  }
  return out.good() ? 0 : 1;
}

}  // namespace driftd::audio
