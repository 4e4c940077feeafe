#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "driftd/stats/chi_squared.hpp"
#include "support/drift_fixtures.hpp"

using namespace driftd::stats;
using driftd::test::close_relative;

TEST_CASE("chi-squared critical values match published values to 1e-6") {
  CHECK(std::fabs(chi_squared_critical(0.05, 9) - 16.918977604620) < 1e-6);
  CHECK(std::fabs(chi_squared_critical(0.001, 9) - 27.877164871) < 1e-6);
  CHECK(std::fabs(chi_squared_critical(0.05, 1) - 3.841458820694) < 1e-6);
  CHECK(std::fabs(chi_squared_critical(0.05, 29) - 42.556967804) < 1e-6);
  CHECK(std::fabs(chi_squared_quantile(0.95, 9) - 16.918977604620) < 1e-6);
}

TEST_CASE("chi-squared critical values at Bonferroni levels match scipy to 1e-12 relative") {
  // scipy.stats.chi2.isf(0.01 / m, df), scipy 1.10.1.
  CHECK(close_relative(chi_squared_critical(0.01 / 16, 9), 29.093178482605538, 1e-12));
  CHECK(close_relative(chi_squared_critical(0.01 / 14, 9), 28.749102438134518, 1e-12));
  CHECK(close_relative(chi_squared_critical(0.01 / 16, 19), 45.28570139828773, 1e-12));
  CHECK(close_relative(chi_squared_critical(0.01 / 16, 1), 11.700002913156093, 1e-12));
  CHECK(close_relative(chi_squared_critical(0.01 / 16, 2), 14.755517816455745, 1e-12));
}

TEST_CASE("the chi-squared quantile inverts the distribution function across its range") {
  for (double df : {0.5, 1.0, 2.0, 3.0, 9.0, 19.0, 29.0, 100.0, 999.0}) {
    for (double p : {1e-12, 1e-6, 0.001, 0.05, 0.3, 0.5, 0.7, 0.95, 0.999}) {
      CAPTURE(df);
      CAPTURE(p);
      CHECK(close_relative(chi_squared_cdf(chi_squared_quantile(p, df), df), p, 1e-10));
      CHECK(close_relative(chi_squared_sf(chi_squared_critical(p, df), df), p, 1e-10));
    }
  }
}

TEST_CASE("the two incomplete gamma tails add up to one") {
  for (double a : {0.5, 1.0, 4.5, 14.5, 50.0}) {
    for (double x : {0.01, 0.5, 1.0, 4.0, 15.0, 60.0}) {
      CHECK(std::fabs(regularized_gamma_p(a, x) + regularized_gamma_q(a, x) - 1.0) < 1e-14);
    }
  }
  // P(1, x) = 1 − e^{−x}; Q(1/2, x) = erfc(√x).
  CHECK(close_relative(regularized_gamma_q(1.0, 3.0), std::exp(-3.0), 1e-14));
  CHECK(close_relative(regularized_gamma_q(0.5, 2.0), std::erfc(std::sqrt(2.0)), 1e-13));
}

TEST_CASE("log-gamma matches factorials and the half-integer closed form") {
  CHECK(std::fabs(log_gamma(1.0)) < 1e-14);
  CHECK(close_relative(log_gamma(10.0), std::log(362880.0), 1e-15));
  CHECK(close_relative(log_gamma(0.5), 0.5 * std::log(std::numbers::pi), 1e-14));
  CHECK(close_relative(log_gamma(100.5), 361.43554046777757, 1e-14));  // scipy gammaln
  CHECK(std::isnan(log_gamma(0.0)));
}

TEST_CASE("normal critical values match published values") {
  CHECK(std::fabs(normal_critical(0.025) - 1.959963984540054) < 1e-12);
  CHECK(std::fabs(normal_critical(0.01 / 16) - 3.2272184259631564) < 1e-11);  // scipy
  CHECK(normal_critical(0.5) == 0.0);
  CHECK(std::fabs(normal_critical(0.975) + 1.959963984540054) < 1e-12);
  CHECK(close_relative(normal_sf(1.959963984540054), 0.025, 1e-13));
}

TEST_CASE("arguments outside the domain give NaN") {
  CHECK(std::isnan(chi_squared_quantile(0.0, 9)));
  CHECK(std::isnan(chi_squared_quantile(1.0, 9)));
  CHECK(std::isnan(chi_squared_critical(0.05, 0)));
  CHECK(std::isnan(regularized_gamma_p(-1.0, 1.0)));
  CHECK(std::isnan(normal_critical(1.5)));
}
