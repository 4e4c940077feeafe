#pragma once
// The significance rule and the scoring of one test (docs/drift.md, "Significance").
//
// Under no drift, with a reference worth N and a current sample worth M independent
// windows, PSI / (1/N + 1/M) is asymptotically χ² with (bins − 1) degrees of freedom. A
// PSI is significant at level a when it reaches the critical value
// (1/N + 1/M)·χ²_{1−a}(bins − 1). An evaluation runs m tests (every feature plus the
// prediction tests it can run) at a = alpha / m each (Bonferroni), so that stationary data
// flags anything in at most a fraction alpha of evaluations. A status then grades the
// effect size: alarm at PSI ≥ psi_alarm, warn at PSI ≥ psi_warn, both only when significant.

#include <optional>
#include <string>

#include "driftd/drift/status.hpp"
#include "driftd/drift/thresholds.hpp"
#include "driftd/stats/bin_counts.hpp"
#include "driftd/stats/divergence.hpp"
#include "driftd/stats/moments.hpp"

namespace driftd::drift {

// Effective (independent-unit) sizes of the two samples of a test.
struct SampleSizes {
  double reference = 0;
  double current = 0;
};

// alpha / tests (Bonferroni); alpha itself for tests ≤ 1.
double per_test_alpha(double alpha, int tests);

// (1/N + 1/M)·χ²_{1−a}(df): the smallest significant PSI. +infinity when a size is not
// positive or df < 1 (nothing can be significant).
double psi_critical_value(SampleSizes effective, int df, double alpha_per_test);

// P(χ²(df) > psi / (1/N + 1/M)): the PSI's p-value before any correction. 1 when a size is
// not positive or df < 1.
double psi_p_value(double psi, SampleSizes effective, int df);

// alarm when effect ≥ alarm_at and significant; warn when effect ≥ warn_at and significant
// (or regardless of significance if !thresholds.warn_requires_significance); else ok.
DriftStatus grade(double effect, bool significant, double warn_at, double alarm_at,
                  const Thresholds& thresholds);

// The judgement of one histogram test (a feature, or the label mix).
struct HistogramScore {
  std::optional<stats::Divergences> scores;  // nothing when the current sample is empty
  int degrees_of_freedom = 0;
  SampleSizes effective;
  double pearson = 0;       // Σ (b − a)² / π, the quadratic the significance test uses
  double critical_psi = 0;  // what `pearson` must reach; +infinity when nothing can be
  double p_value = 1;       // uncorrected
  bool significant = false;
  DriftStatus status = DriftStatus::ok;
};

// Scores two histograms over the same bins: divergences, significance at alpha_per_test
// with `degrees_of_freedom`, and a status graded on PSI with psi_warn / psi_alarm.
// `reference` and `current` must have the same number of bins.
HistogramScore score_histograms(const stats::BinCounts& reference, const stats::BinCounts& current,
                                SampleSizes effective, int degrees_of_freedom,
                                double alpha_per_test, const Thresholds& thresholds);

// A one-sided Welch z-test that the current mean is below the reference mean.
struct MeanDropTest {
  double drop = 0;     // reference mean − current mean
  double z = 0;        // drop / √(s²_ref / n_ref + s²_cur / n_cur)
  double p_value = 1;  // P(Z > z), uncorrected
};

// The test with n_ref = reference_units, n_cur = current_units effective observations;
// nothing when either sample has fewer than two values or a non-positive size.
std::optional<MeanDropTest> mean_drop_test(const stats::Moments& reference, double reference_units,
                                           const stats::Moments& current, double current_units);

}  // namespace driftd::drift
