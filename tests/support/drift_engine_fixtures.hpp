#pragma once
// Fixtures for the live drift engine's tests: synthetic drift feature vectors (seeded
// normal values), references built from them, and windows stored through the one write
// path (record_windows) so that they are binned into buckets as in the daemon.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/drift/reference.hpp"
#include "driftd/store/devices.hpp"
#include "driftd/store/references.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/windows.hpp"
#include "support/drift_fixtures.hpp"

namespace driftd::test {

inline constexpr drift::WindowGeometry k_engine_geometry{1000, 300};
inline constexpr std::size_t k_engine_width = 14;  // 13 cepstra + rms_dbfs

// `windows` vectors of `width` values N(shift, scale²), one unit (clip).
inline drift::ClipFeatures normal_unit(NormalSource& source, std::size_t windows,
                                       std::size_t width = k_engine_width, double shift = 0,
                                       double scale = 1) {
  drift::ClipFeatures unit(windows, std::vector<double>(width));
  for (auto& window : unit) {
    for (auto& v : window) v = shift + scale * source.next();
  }
  return unit;
}

inline std::vector<std::string> engine_feature_names(std::size_t width = k_engine_width) {
  return audio::drift_feature_names(width - 1);
}

// A reference of `clips` units of `windows_per_clip` windows drawn from N(shift, 1).
inline drift::Reference normal_reference(std::uint64_t seed, int clips, int windows_per_clip,
                                         double shift = 0, std::size_t width = k_engine_width) {
  NormalSource source(seed);
  std::vector<drift::ClipFeatures> units;
  for (int c = 0; c < clips; ++c) {
    units.push_back(normal_unit(source, static_cast<std::size_t>(windows_per_clip), width, shift));
  }
  const auto names = engine_feature_names(width);
  auto reference = drift::build_reference(names, units, 10, k_engine_geometry);
  REQUIRE(reference.ok());
  return std::move(reference).value();
}

// Saves `reference` as the active one of `model_version`; its id.
inline std::int64_t save_test_reference(store::Store& store, const std::string& model_version,
                                        const drift::Reference& reference, util::UnixMs created) {
  auto id = store::save_reference(store, model_version, "import:test", reference, created);
  REQUIRE_MESSAGE(id.ok(), (id.ok() ? "" : id.error().message));
  return id.value();
}

// Stores `unit` as device windows of `device` at `t` (one write job, device created).
inline void store_unit(store::Store& store, const std::string& device,
                       const std::string& model_version, util::UnixMs t,
                       const drift::ClipFeatures& unit) {
  store::WindowBatch batch{device, model_version, store::WindowSource::device, std::nullopt, {}};
  for (const auto& values : unit) batch.windows.push_back({t, values});
  auto stored = store.writer().run([&](store::WriteTxn& txn) -> Status {
    store::record_device_activity(txn, {device, model_version, t, t, 0, 0});
    return store::record_windows(txn, batch);
  });
  REQUIRE_MESSAGE(stored.ok(), (stored.ok() ? "" : stored.error().message));
}

}  // namespace driftd::test
