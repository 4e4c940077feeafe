// Streams the samples through one libsamplerate state in blocks, so a long clip never
// needs a second full-length single-precision copy.

#include "driftd/audio/resample.hpp"

#include <samplerate.h>

#include <cmath>
#include <memory>

#include "driftd/audio/audio_errors.hpp"

namespace driftd::audio {

namespace {

constexpr std::size_t k_block = 8192;
constexpr double k_scale = 32768.0;  // int16 scale ↔ the converter's nominal ±1

int converter_type(ResampleQuality quality) {
  switch (quality) {
    case ResampleQuality::best:
      return SRC_SINC_BEST_QUALITY;
    case ResampleQuality::medium:
      return SRC_SINC_MEDIUM_QUALITY;
    case ResampleQuality::fastest:
      return SRC_SINC_FASTEST;
  }
  return SRC_SINC_MEDIUM_QUALITY;
}

struct StateDeleter {
  void operator()(SRC_STATE* state) const { src_delete(state); }
};

Error fail(std::string message) {
  return make_error(k_resample_failed, std::move(message));
}

}  // namespace

Result<std::vector<double>> resample(std::span<const double> samples, int from_hz, int to_hz,
                                     ResampleQuality quality) {
  if (from_hz <= 0 || to_hz <= 0) return fail("sample rates must be positive");
  if (from_hz == to_hz) return std::vector<double>(samples.begin(), samples.end());
  const double ratio = static_cast<double>(to_hz) / from_hz;
  if (src_is_valid_ratio(ratio) == 0) {
    return fail("cannot convert " + std::to_string(from_hz) + " Hz to " + std::to_string(to_hz) +
                " Hz (ratio beyond 1/256..256)");
  }
  int error = 0;
  std::unique_ptr<SRC_STATE, StateDeleter> state(src_new(converter_type(quality), 1, &error));
  if (!state) return fail(std::string("libsamplerate: ") + src_strerror(error));

  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(std::ceil(static_cast<double>(samples.size()) * ratio)) +
              16);
  std::vector<float> in_block(k_block);
  const auto out_capacity = static_cast<std::size_t>(std::ceil(k_block * ratio)) + 64;
  std::vector<float> out_block(out_capacity);
  std::size_t next = 0;     // first sample not yet handed to the converter
  std::size_t pending = 0;  // samples in in_block not yet consumed
  std::size_t pending_at = 0;
  for (;;) {
    if (pending == 0 && next < samples.size()) {
      pending = std::min(k_block, samples.size() - next);
      for (std::size_t i = 0; i < pending; ++i) {
        in_block[i] = static_cast<float>(samples[next + i] / k_scale);
      }
      next += pending;
      pending_at = 0;
    }
    SRC_DATA data{};
    data.data_in = in_block.data() + pending_at;
    data.input_frames = static_cast<long>(pending);
    data.data_out = out_block.data();
    data.output_frames = static_cast<long>(out_capacity);
    data.end_of_input = next >= samples.size() ? 1 : 0;
    data.src_ratio = ratio;
    error = src_process(state.get(), &data);
    if (error != 0) return fail(std::string("libsamplerate: ") + src_strerror(error));
    pending -= static_cast<std::size_t>(data.input_frames_used);
    pending_at += static_cast<std::size_t>(data.input_frames_used);
    for (long i = 0; i < data.output_frames_gen; ++i) {
      out.push_back(static_cast<double>(out_block[static_cast<std::size_t>(i)]) * k_scale);
    }
    if (data.end_of_input != 0 && pending == 0 && data.output_frames_gen == 0) break;
  }
  // The converter's flush can leave the output a sample short (or long) of the exact
  // length; a clip of N samples at `from_hz` is round(N * to / from) samples at `to_hz`,
  // so that window counts do not depend on the source rate. The missing tail is silence.
  const auto n = static_cast<unsigned long long>(samples.size());
  const auto exact = static_cast<std::size_t>(
      (n * static_cast<unsigned long long>(to_hz) + static_cast<unsigned long long>(from_hz) / 2) /
      static_cast<unsigned long long>(from_hz));
  out.resize(exact, 0.0);
  return out;
}

}  // namespace driftd::audio
