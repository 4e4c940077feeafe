#pragma once
// Deterministic randomness for the simulator. Every clip, reading and baseline file draws
// from its own stream, derived from the run's seed and the thing's coordinates (device,
// reading number, ...), so a value never depends on thread timing or on the order in which
// things were generated. The engine is std::mt19937_64 (its output is fixed by the C++
// standard); the conversions to uniform and normal values are written here rather than
// taken from <random>'s distributions, whose output differs between standard libraries.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>

namespace driftd::sim {

// Mixes `seed` with each value of `path` (SplitMix64 finalizer per step): different paths
// give unrelated streams, the same path always the same one.
std::uint64_t derive_seed(std::uint64_t seed, std::initializer_list<std::uint64_t> path);

// One random stream.
class SimRng {
 public:
  explicit SimRng(std::uint64_t seed) : m_engine(seed) {}

  // The next raw 64-bit output of the engine.
  std::uint64_t next() { return m_engine(); }
  // Uniform in [0, 1), 53 bits of resolution.
  double uniform();
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Standard normal (Box–Muller; the second value of each pair is kept for the next call).
  double gaussian();

 private:
  std::mt19937_64 m_engine;
  std::optional<double> m_spare;
};

}  // namespace driftd::sim
