// Incomplete gamma function and its inverse.
//
// P(a, x) is summed as the series e^{-x} x^a / Γ(a) · Σ_n x^n / (a (a+1) … (a+n)), which
// converges fast for x < a + 1; above that, Q(a, x) is evaluated as the continued fraction
// e^{-x} x^a / Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − …)))
// with the modified Lentz recurrence. Whichever of P and Q is computed directly, the other is
// its complement, so a tail is never obtained by cancellation unless it is the large one.
//
// Quantiles solve P(a, y) = p (or Q(a, y) = q when the upper tail is the small one) for
// y = x / 2 with Newton steps on a bracket that starts at [0, 2^k·a] and is halved whenever
// a step would leave it, so it always converges; it stops when the bracket or the step is
// below 4 ulp.
//
// Critical values are remembered: a drift evaluation asks for the same few (alpha, df)
// pairs for every feature of every device, and one inversion costs up to a few hundred
// series evaluations when df is large. The memo is bounded and guarded by a mutex; it
// returns exactly what the computation returns.

#include "driftd/stats/chi_squared.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <numbers>
#include <unordered_map>

namespace driftd::stats {
namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double k_epsilon = std::numeric_limits<double>::epsilon();
constexpr int k_max_terms = 100000;
constexpr std::size_t k_max_remembered_criticals = 4096;  // then the memo starts afresh

// Stirling's series for ln Γ(z), z ≥ 15: terms B_2k / (2k (2k − 1) z^(2k − 1)).
double stirling_log_gamma(double z) {
  const double inv = 1.0 / z;
  const double inv2 = inv * inv;
  const double series =
      inv *
      (1.0 / 12 +
       inv2 * (-1.0 / 360 +
               inv2 * (1.0 / 1260 +
                       inv2 * (-1.0 / 1680 + inv2 * (1.0 / 1188 + inv2 * (-691.0 / 360360 +
                                                                          inv2 * (1.0 / 156)))))));
  return (z - 0.5) * std::log(z) - z + 0.5 * std::log(2 * std::numbers::pi) + series;
}

// e^{-x} x^a / Γ(a), the factor shared by the series and the continued fraction.
double gamma_prefactor(double a, double x) {
  return std::exp(-x + a * std::log(x) - log_gamma(a));
}

double lower_series(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  for (int n = 1; n < k_max_terms; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * k_epsilon) break;
  }
  return sum * gamma_prefactor(a, x);
}

double upper_fraction(double a, double x) {
  constexpr double tiny = 1e-300;
  double b = x + 1.0 - a;
  double c = 1.0 / tiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < k_max_terms; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < k_epsilon) break;
  }
  return h * gamma_prefactor(a, x);
}

bool valid_gamma_args(double a, double x) {
  return std::isfinite(a) && a > 0 && !std::isnan(x) && x >= 0;
}

// d/dy P(a, y): the gamma density.
double gamma_density(double a, double y) {
  if (y <= 0) return a < 1 ? std::numeric_limits<double>::infinity() : (a == 1 ? 1.0 : 0.0);
  return std::exp(-y + (a - 1) * std::log(y) - log_gamma(a));
}

// Solves P(a, y) = target (upper == false) or Q(a, y) = target (upper == true).
double invert_gamma(double a, double target, bool upper) {
  // f(y) increases in y: P − target, or target − Q.
  auto f = [&](double y) {
    return upper ? target - regularized_gamma_q(a, y) : regularized_gamma_p(a, y) - target;
  };
  double lo = 0.0;
  double hi = a > 1 ? a : 1.0;
  while (f(hi) < 0) {
    lo = hi;
    hi *= 2;
    if (!std::isfinite(hi)) return k_nan;
  }
  double y = 0.5 * (lo + hi);
  for (int i = 0; i < 500; ++i) {
    const double fy = f(y);
    if (fy == 0) return y;
    if (fy < 0) {
      lo = y;
    } else {
      hi = y;
    }
    const double density = gamma_density(a, y);
    double next = density > 0 && std::isfinite(density) ? y - fy / density : lo - 1;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const double step = std::fabs(next - y);
    y = next;
    if (step <= 4 * k_epsilon * y || hi - lo <= 4 * k_epsilon * hi) break;
  }
  return y;
}

// The memo of chi_squared_critical(), keyed by the bits of alpha and df.
class CriticalMemo {
 public:
  template <typename Compute>
  double get(double alpha, double df, Compute compute) {
    const Key key{std::bit_cast<std::uint64_t>(alpha), std::bit_cast<std::uint64_t>(df)};
    {
      std::lock_guard lock(m_mutex);
      if (auto it = m_values.find(key); it != m_values.end()) return it->second;
    }
    const double value = compute();
    std::lock_guard lock(m_mutex);
    if (m_values.size() >= k_max_remembered_criticals) m_values.clear();
    m_values.emplace(key, value);
    return value;
  }

 private:
  struct Key {
    std::uint64_t alpha;
    std::uint64_t df;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      return std::hash<std::uint64_t>{}(k.alpha ^ (k.df * 0x9E3779B97F4A7C15ULL));
    }
  };
  std::mutex m_mutex;
  std::unordered_map<Key, double, KeyHash> m_values;
};

CriticalMemo& critical_memo() {
  static CriticalMemo memo;
  return memo;
}

}  // namespace

double log_gamma(double x) {
  if (!(x > 0) || !std::isfinite(x)) return k_nan;
  // Shift up to z ≥ 15 with Γ(x) = Γ(x + n) / (x (x + 1) … (x + n − 1)).
  double product = 1.0;
  double z = x;
  while (z < 15) {
    product *= z;
    z += 1;
  }
  return stirling_log_gamma(z) - std::log(product);
}

double regularized_gamma_p(double a, double x) {
  if (!valid_gamma_args(a, x)) return k_nan;
  if (x == 0) return 0.0;
  if (std::isinf(x)) return 1.0;
  return x < a + 1 ? lower_series(a, x) : 1.0 - upper_fraction(a, x);
}

double regularized_gamma_q(double a, double x) {
  if (!valid_gamma_args(a, x)) return k_nan;
  if (x == 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return x < a + 1 ? 1.0 - lower_series(a, x) : upper_fraction(a, x);
}

double chi_squared_cdf(double x, double df) {
  if (std::isnan(x) || !(df > 0)) return k_nan;
  return x <= 0 ? 0.0 : regularized_gamma_p(df / 2, x / 2);
}

double chi_squared_sf(double x, double df) {
  if (std::isnan(x) || !(df > 0)) return k_nan;
  return x <= 0 ? 1.0 : regularized_gamma_q(df / 2, x / 2);
}

double chi_squared_quantile(double p, double df) {
  if (!(p > 0 && p < 1) || !(df > 0) || !std::isfinite(df)) return k_nan;
  const double a = df / 2;
  return 2 * (p <= 0.5 ? invert_gamma(a, p, false) : invert_gamma(a, 1 - p, true));
}

double chi_squared_critical(double alpha, double df) {
  if (!(alpha > 0 && alpha < 1) || !(df > 0) || !std::isfinite(df)) return k_nan;
  return critical_memo().get(alpha, df, [alpha, df] {
    const double a = df / 2;
    return 2 * (alpha <= 0.5 ? invert_gamma(a, alpha, true) : invert_gamma(a, 1 - alpha, false));
  });
}

double normal_sf(double z) {
  return 0.5 * std::erfc(z / std::numbers::sqrt2);
}

double normal_critical(double alpha) {
  if (!(alpha > 0 && alpha < 1)) return k_nan;
  // P(Z > z) = alpha with z ≥ 0 means P(Z² > z²) = 2·alpha, and Z² ~ χ²(1).
  if (alpha == 0.5) return 0.0;
  if (alpha < 0.5) return std::sqrt(chi_squared_critical(2 * alpha, 1));
  return -std::sqrt(chi_squared_critical(2 * (1 - alpha), 1));
}

}  // namespace driftd::stats
