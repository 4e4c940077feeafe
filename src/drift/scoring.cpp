// The χ² significance rule for PSI, the Welch test for mean confidence, and grading.

#include "driftd/drift/scoring.hpp"

#include <cmath>
#include <limits>

#include "driftd/stats/chi_squared.hpp"

namespace driftd::drift {
namespace {

constexpr double k_infinity = std::numeric_limits<double>::infinity();

bool usable(SampleSizes effective, int df) {
  return effective.reference > 0 && effective.current > 0 && df >= 1;
}

double scale(SampleSizes effective) {
  return 1.0 / effective.reference + 1.0 / effective.current;
}

// The Pearson form of the two histograms' difference, Σ (b − a)² / π over the bins with
// π the pooled proportion (the sides weighted by their effective sizes): the quadratic
// that PSI approximates, and whose scaled value is χ² under no drift.
double pearson_divergence(const stats::BinCounts& reference, const stats::BinCounts& current,
                          SampleSizes effective) {
  const double n = static_cast<double>(reference.total());
  const double m = static_cast<double>(current.total());
  if (n <= 0 || m <= 0) return 0;
  const double wr = effective.reference / (effective.reference + effective.current);
  double sum = 0;
  for (std::size_t i = 0; i < reference.bins(); ++i) {
    const double a = static_cast<double>(reference[i]) / n;
    const double b = static_cast<double>(current[i]) / m;
    const double pooled = wr * a + (1 - wr) * b;
    if (pooled > 0) sum += (b - a) * (b - a) / pooled;
  }
  return sum;
}

}  // namespace

double per_test_alpha(double alpha, int tests) {
  return tests > 1 ? alpha / tests : alpha;
}

double psi_critical_value(SampleSizes effective, int df, double alpha_per_test) {
  if (!usable(effective, df)) return k_infinity;
  return scale(effective) * stats::chi_squared_critical(alpha_per_test, df);
}

double psi_p_value(double psi, SampleSizes effective, int df) {
  if (!usable(effective, df)) return 1.0;
  return stats::chi_squared_sf(psi / scale(effective), df);
}

DriftStatus grade(double effect, bool significant, double warn_at, double alarm_at,
                  const Thresholds& thresholds) {
  if (significant && effect >= alarm_at) return DriftStatus::alarm;
  if (effect >= warn_at && (significant || !thresholds.warn_requires_significance)) {
    return DriftStatus::warn;
  }
  return DriftStatus::ok;
}

HistogramScore score_histograms(const stats::BinCounts& reference, const stats::BinCounts& current,
                                SampleSizes effective, int degrees_of_freedom,
                                double alpha_per_test, const Thresholds& thresholds) {
  HistogramScore score;
  score.degrees_of_freedom = degrees_of_freedom;
  score.effective = effective;
  score.critical_psi = psi_critical_value(effective, degrees_of_freedom, alpha_per_test);
  if (current.total() == 0) return score;
  auto scores = stats::divergences(reference, current);
  if (!scores) return score;
  score.scores = scores.value();
  // Significance from the Pearson form, whose scaled value is χ² under no drift; PSI, the
  // effect, only grades. PSI itself has a heavier tail than χ² when bins empty (its log
  // ratio grows without bound), so testing PSI directly overstates small samples.
  score.pearson = pearson_divergence(reference, current, effective);
  score.p_value = psi_p_value(score.pearson, effective, degrees_of_freedom);
  score.significant = score.pearson >= score.critical_psi;
  score.status =
      grade(scores->psi, score.significant, thresholds.psi_warn, thresholds.psi_alarm, thresholds);
  return score;
}

std::optional<MeanDropTest> mean_drop_test(const stats::Moments& reference, double reference_units,
                                           const stats::Moments& current, double current_units) {
  if (reference.count < 2 || current.count < 2 || !(reference_units > 0) || !(current_units > 0)) {
    return std::nullopt;
  }
  MeanDropTest test;
  test.drop = reference.mean() - current.mean();
  const double error =
      std::sqrt(reference.variance() / reference_units + current.variance() / current_units);
  if (error > 0) {
    test.z = test.drop / error;
  } else {
    test.z = test.drop > 0 ? k_infinity : test.drop < 0 ? -k_infinity : 0.0;
  }
  test.p_value = stats::normal_sf(test.z);
  return test;
}

}  // namespace driftd::drift
