#pragma once
// Test fixtures for the stats and drift tests: the shared convention cases
// (../shared/testdata/drift/convention_cases.json, read at run time) and a portable,
// seeded normal generator (std::normal_distribution differs between standard libraries).

#include <cmath>
#include <cstdint>
#include <fstream>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace driftd::test {

struct ConventionCase {
  std::string name;
  int bins = 0;
  std::vector<double> reference, current, edges, ref_p, cur_p;
  std::vector<std::uint64_t> ref_counts, cur_counts;
  double psi = 0, kl = 0, js = 0;
};

inline std::vector<ConventionCase> load_convention_cases() {
  const std::string path = std::string(DRIFTD_SHARED_DIR) + "/testdata/drift/convention_cases.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<ConventionCase> cases;
  for (const auto& c : doc.at("cases")) {
    ConventionCase out;
    out.name = c.at("name").get<std::string>();
    out.bins = c.at("bins").get<int>();
    c.at("reference").get_to(out.reference);
    c.at("current").get_to(out.current);
    c.at("edges").get_to(out.edges);
    c.at("ref_p").get_to(out.ref_p);
    c.at("cur_p").get_to(out.cur_p);
    c.at("ref_counts").get_to(out.ref_counts);
    c.at("cur_counts").get_to(out.cur_counts);
    out.psi = c.at("psi").get<double>();
    out.kl = c.at("kl").get<double>();
    out.js = c.at("js").get<double>();
    cases.push_back(std::move(out));
  }
  return cases;
}

// |actual − expected| ≤ tolerance·|expected|, or ≤ tolerance when expected is 0.
inline bool close_relative(double actual, double expected, double tolerance) {
  const double scale = expected == 0 ? 1.0 : std::fabs(expected);
  return std::fabs(actual - expected) <= tolerance * scale;
}

// Standard normal samples by Box–Muller from a seeded mt19937_64 (fully specified, so the
// same on every platform).
class NormalSource {
 public:
  explicit NormalSource(std::uint64_t seed) : m_engine(seed) {}

  double next() {
    if (m_has_spare) {
      m_has_spare = false;
      return m_spare;
    }
    const double u1 = uniform_open();
    const double u2 = uniform_open();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    m_spare = radius * std::sin(angle);
    m_has_spare = true;
    return radius * std::cos(angle);
  }

 private:
  // Uniform in (0, 1].
  double uniform_open() { return (static_cast<double>(m_engine() >> 11) + 1.0) * 0x1.0p-53; }

  std::mt19937_64 m_engine;
  double m_spare = 0;
  bool m_has_spare = false;
};

}  // namespace driftd::test
