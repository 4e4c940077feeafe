#include "baseline_writer.hpp"

#include <cstdio>
#include <fstream>
#include <system_error>

#include "driftd/sim/fleet.hpp"
#include "driftd/sim/wav.hpp"

namespace driftd::sim {

Result<int> write_clip_set(const std::filesystem::path& dir, int per_class, std::uint64_t seed,
                           const Scenario& scenario) {
  int written = 0;
  for (const SoundClass sound : k_sound_classes) {
    const std::string label(label_of(sound));
    const std::filesystem::path folder = dir / label;
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) {
      return make_error("write_failed", "cannot create " + folder.string() + ": " + ec.message());
    }
    for (int i = 0; i < per_class; ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "%s-%04d.wav", label.c_str(), i + 1);
      const std::filesystem::path path = folder / name;
      const auto index = static_cast<std::uint64_t>(i);
      const std::vector<double> audio = scenario.kind == ScenarioKind::none
                                            ? baseline_audio(seed, sound, index)
                                            : drifted_set_audio(seed, sound, index, scenario);
      const std::string wav = encode_wav(to_pcm16(audio), k_sample_rate_hz);
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(wav.data(), static_cast<std::streamsize>(wav.size()));
      out.close();
      if (!out) return make_error("write_failed", "cannot write " + path.string());
      ++written;
    }
  }
  return written;
}

}  // namespace driftd::sim
