#pragma once
// Divergences between two histograms over the same bins, with the conventions of SPEC §6:
// additive smoothing p_i = (n_i + 0.5) / (N + 0.5·bins), natural-log PSI and
// KL(reference ‖ current), base-2 Jensen–Shannon divergence (in [0, 1]).

#include <cstdint>
#include <span>
#include <vector>

#include "driftd/stats/bin_counts.hpp"
#include "driftd/util/result.hpp"

namespace driftd::stats {

// The pseudo-count added to every bin before normalising.
inline constexpr double k_smoothing = 0.5;

// p_i = (n_i + k_smoothing) / (N + k_smoothing·bins). An all-zero histogram gives the
// uniform distribution. Every proportion is > 0 and they sum to 1 (up to rounding).
std::vector<double> smoothed_proportions(std::span<const std::uint64_t> counts);

// PSI = Σ (cur_i − ref_i)·ln(cur_i / ref_i), the symmetrised (Jeffreys) divergence. ≥ 0.
// Both arguments must have the same size and strictly positive entries.
double population_stability_index(std::span<const double> ref, std::span<const double> cur);

// KL(p ‖ q) = Σ p_i·ln(p_i / q_i), in nats. Same preconditions.
double kl_divergence(std::span<const double> p, std::span<const double> q);

// Jensen–Shannon divergence in bits: ½KL₂(p ‖ m) + ½KL₂(q ‖ m), m = (p + q) / 2; in [0, 1].
double js_divergence(std::span<const double> p, std::span<const double> q);

// The three scores of one feature. kl is KL(reference ‖ current).
struct Divergences {
  double psi = 0;
  double kl = 0;
  double js = 0;
};

// Smooths both histograms and scores them. Refuses ("bin_mismatch") different bin counts.
Result<Divergences> divergences(const BinCounts& reference, const BinCounts& current);

}  // namespace driftd::stats
