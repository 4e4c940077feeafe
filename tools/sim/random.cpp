#include "driftd/sim/random.hpp"

#include <cmath>
#include <numbers>

namespace driftd::sim {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t derive_seed(std::uint64_t seed, std::initializer_list<std::uint64_t> path) {
  std::uint64_t h = splitmix64(seed);
  for (const std::uint64_t step : path) h = splitmix64(h ^ splitmix64(step + 0x51ED27ULL));
  return h;
}

double SimRng::uniform() {
  // The top 53 bits as a fraction: exact in a double, never 1.
  return static_cast<double>(m_engine() >> 11) * 0x1.0p-53;
}

double SimRng::gaussian() {
  if (m_spare) {
    const double value = *m_spare;
    m_spare.reset();
    return value;
  }
  const double u1 = 1.0 - uniform();  // (0, 1]: the logarithm stays finite
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * u2;
  m_spare = radius * std::sin(angle);
  return radius * std::cos(angle);
}

}  // namespace driftd::sim
