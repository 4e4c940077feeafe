// Real FFT in double precision, for the MFCC's power spectra.
//
// What: X[k] = Σ x[n]·e^{-2πikn/N} for k = 0..N/2 of N real samples, N a power of two.
// The N real samples are packed as N/2 complex ones, z[j] = x[2j] + i·x[2j+1]; a complex
// FFT of length M = N/2 (iterative radix-2 decimation in time: inputs loaded in
// bit-reversed order, then log2(M) stages of butterflies, run two stages per pass) gives Z, and the
// spectrum of the real signal is recovered from Z[k] and conj(Z[M-k]) by one "unpack" pass:
//   X[k] = E[k] + W^k·O[k],  E = (Z[k] + conj Z[M-k]) / 2,  O = (Z[k] - conj Z[M-k]) / 2i,
// with W = e^{-2πi/N}; k and M-k are handled together, so the unpack needs only N/4+1
// twiddles.
//
// Why our own: Edge Impulse's reference (numpy) computes in double precision. On
// near-silent frames a float FFT (Debian ships KissFFT only in float) turns exact zeros
// into rounding residue, the logarithm then magnifies it, and parity is lost; this code
// keeps every step in double. Real and imaginary parts live in separate arrays and the
// complex products are written out by hand (std::complex multiplication checks for
// NaN/Inf and is several times slower without -ffast-math).
//
// Cost: (N/4)·log2(N/2) butterflies (one complex multiply and two complex adds each) plus
// N/4 unpack steps; the first two stages need no multiplications. All twiddles are
// computed once with std::cos/std::sin, folded onto the first octant (no recurrences:
// every twiddle is accurate to an ulp and the symmetric ones are exact), and the plan holds O(N)
// doubles. For N = 256 this is about a microsecond.

#include "driftd/audio/fft.hpp"

#include <cassert>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace driftd::audio {

namespace {

constexpr std::size_t k_max_size = std::size_t{1} << 20;

// cos and sin of 2πk/n for k in [0, n/2], folded onto the first octant so that the
// symmetric values are exact (cos(π/2) is 0, not 6e-17) and all are accurate to an ulp.
void unit_root(std::size_t k, std::size_t n, double& c, double& s) {
  const auto direct = [n](std::size_t j, double& cj, double& sj) {
    const double angle = 2.0 * std::numbers::pi * static_cast<double>(j) / static_cast<double>(n);
    cj = std::cos(angle);
    sj = std::sin(angle);
  };
  if (n < 4) {  // only k = 0 (and k = 1 for n = 2)
    c = (k == 0) ? 1.0 : -1.0;
    s = 0.0;
    return;
  }
  const bool second_quadrant = 4 * k > n;
  std::size_t j = second_quadrant ? n / 2 - k : k;  // now 4j <= n
  if (8 * j <= n) {
    direct(j, c, s);
  } else {
    double cc = 0, ss = 0;
    direct(n / 4 - j, cc, ss);
    c = ss;
    s = cc;
  }
  if (second_quadrant) c = -c;
}

std::size_t log2_exact(std::size_t n) {
  std::size_t bits = 0;
  while ((std::size_t{1} << bits) < n) ++bits;
  return bits;
}

}  // namespace

bool RealFft::is_valid_size(std::size_t size) {
  return size >= 2 && size <= k_max_size && (size & (size - 1)) == 0;
}

RealFft::RealFft(std::size_t size) : m_size(size), m_half(size / 2) {
  if (!is_valid_size(size)) {
    throw std::invalid_argument("RealFft: size must be a power of two in [2, 2^20]");
  }
  const std::size_t bits = log2_exact(m_half);
  m_bitrev.resize(m_half);
  for (std::size_t j = 0; j < m_half; ++j) {
    std::size_t reversed = 0;
    for (std::size_t b = 0; b < bits; ++b) {
      if (j & (std::size_t{1} << b)) reversed |= std::size_t{1} << (bits - 1 - b);
    }
    m_bitrev[j] = reversed;
  }
  // Stage with butterfly half-span h uses e^{-iπj/h}, j = 0..h-1; the tables of the
  // stages h = 1, 2, 4, ... follow each other (total M - 1 entries).
  for (std::size_t h = 1; h < m_half; h *= 2) {
    for (std::size_t j = 0; j < h; ++j) {
      double c = 0, s = 0;
      unit_root(j, 2 * h, c, s);
      m_stage_cos.push_back(c);
      m_stage_sin.push_back(s);
    }
  }
  const std::size_t quarter = m_size / 4;
  for (std::size_t k = 0; k <= quarter; ++k) {
    double c = 0, s = 0;
    unit_root(k, m_size, c, s);
    m_unpack_cos.push_back(c);
    m_unpack_sin.push_back(s);
  }
}

void RealFft::complex_transform(std::span<const double> input, double* zr, double* zi) const {
  const std::size_t m = m_half;
  for (std::size_t j = 0; j < m; ++j) {
    zr[m_bitrev[j]] = input[2 * j];
    zi[m_bitrev[j]] = input[2 * j + 1];
  }
  // h = 1: twiddle 1.
  if (m >= 2) {
    for (std::size_t s = 0; s < m; s += 2) {
      const double ar = zr[s], ai = zi[s], br = zr[s + 1], bi = zi[s + 1];
      zr[s] = ar + br;
      zi[s] = ai + bi;
      zr[s + 1] = ar - br;
      zi[s + 1] = ai - bi;
    }
  }
  // h = 2: twiddles 1 and -i.
  if (m >= 4) {
    for (std::size_t s = 0; s < m; s += 4) {
      const double ar = zr[s], ai = zi[s], br = zr[s + 2], bi = zi[s + 2];
      zr[s] = ar + br;
      zi[s] = ai + bi;
      zr[s + 2] = ar - br;
      zi[s + 2] = ai - bi;
      // (x + iy)·(-i) = y - ix
      const double cr = zr[s + 1], ci = zi[s + 1];
      const double tr = zi[s + 3], ti = -zr[s + 3];
      zr[s + 1] = cr + tr;
      zi[s + 1] = ci + ti;
      zr[s + 3] = cr - tr;
      zi[s + 3] = ci - ti;
    }
  }
  // The remaining stages go two at a time (h and 2h in one pass over the data: four
  // points per butterfly group, the same operations as two radix-2 stages but half the
  // loads and stores); a last single stage when their count is odd.
  std::size_t h = 4;
  for (; 4 * h <= m; h *= 4) {
    const double* c1 = m_stage_cos.data() + (h - 1);  // e^{-iπj/h}
    const double* s1 = m_stage_sin.data() + (h - 1);
    const double* c2 = m_stage_cos.data() + (2 * h - 1);  // e^{-iπj/2h}
    const double* s2 = m_stage_sin.data() + (2 * h - 1);
    for (std::size_t s = 0; s < m; s += 4 * h) {
      double* ar = zr + s;
      double* ai = zi + s;
      double* br = ar + h;
      double* bi = ai + h;
      double* cr = br + h;
      double* ci = bi + h;
      double* dr = cr + h;
      double* di = ci + h;
      for (std::size_t j = 0; j < h; ++j) {
        // Stage h: (a, b) and (c, d) with w1.
        const double tr = br[j] * c1[j] + bi[j] * s1[j];
        const double ti = bi[j] * c1[j] - br[j] * s1[j];
        const double ur = dr[j] * c1[j] + di[j] * s1[j];
        const double ui = di[j] * c1[j] - dr[j] * s1[j];
        const double a1r = ar[j] + tr, a1i = ai[j] + ti;
        const double b1r = ar[j] - tr, b1i = ai[j] - ti;
        const double c1r = cr[j] + ur, c1i = ci[j] + ui;
        const double d1r = cr[j] - ur, d1i = ci[j] - ui;
        // Stage 2h: (a1, c1) with w2, (b1, d1) with w2·(-i).
        const double vr = c1r * c2[j] + c1i * s2[j];
        const double vi = c1i * c2[j] - c1r * s2[j];
        const double xr = d1r * c2[j] + d1i * s2[j];
        const double xi = d1i * c2[j] - d1r * s2[j];
        // (xr + i·xi)·(-i) = xi - i·xr
        ar[j] = a1r + vr;
        ai[j] = a1i + vi;
        cr[j] = a1r - vr;
        ci[j] = a1i - vi;
        br[j] = b1r + xi;
        bi[j] = b1i - xr;
        dr[j] = b1r - xi;
        di[j] = b1i + xr;
      }
    }
  }
  if (h < m) {
    const double* wc = m_stage_cos.data() + (h - 1);
    const double* ws = m_stage_sin.data() + (h - 1);
    for (std::size_t s = 0; s < m; s += 2 * h) {
      double* ur = zr + s;
      double* ui = zi + s;
      double* vr = zr + s + h;
      double* vi = zi + s + h;
      for (std::size_t j = 0; j < h; ++j) {
        // t = v·e^{-iθ} = (vr + i·vi)(c - i·s)
        const double tr = vr[j] * wc[j] + vi[j] * ws[j];
        const double ti = vi[j] * wc[j] - vr[j] * ws[j];
        vr[j] = ur[j] - tr;
        vi[j] = ui[j] - ti;
        ur[j] += tr;
        ui[j] += ti;
      }
    }
  }
}

void RealFft::forward(std::span<const double> input, std::span<double> re, std::span<double> im,
                      std::span<double> scratch) const {
  assert(input.size() == m_size && re.size() == bins() && im.size() == bins());
  assert(scratch.size() >= scratch_size());
  double* zr = scratch.data();
  double* zi = scratch.data() + m_half;
  complex_transform(input, zr, zi);
  const std::size_t m = m_half;
  for (std::size_t k = 0; k <= m / 2; ++k) {
    const std::size_t mirror = (m - k) % m;
    const double a = zr[k], b = zi[k], c = zr[mirror], d = zi[mirror];
    const double p = 0.5 * (b + d);
    const double q = -0.5 * (a - c);
    const double cs = m_unpack_cos[k], sn = m_unpack_sin[k];
    const double sum_re = 0.5 * (a + c), diff_im = 0.5 * (b - d);
    re[k] = sum_re + (p * cs + q * sn);
    im[k] = diff_im + (q * cs - p * sn);
    re[m - k] = sum_re - (p * cs + q * sn);
    im[m - k] = -diff_im + (q * cs - p * sn);
  }
  // Exact forms for the two purely real bins.
  re[0] = zr[0] + zi[0];
  im[0] = 0.0;
  re[m] = zr[0] - zi[0];
  im[m] = 0.0;
}

void RealFft::power_spectrum(std::span<const double> input, std::span<double> power,
                             std::span<double> scratch) const {
  assert(input.size() == m_size && power.size() == bins());
  assert(scratch.size() >= scratch_size());
  double* zr = scratch.data();
  double* zi = scratch.data() + m_half;
  complex_transform(input, zr, zi);
  const std::size_t m = m_half;
  for (std::size_t k = 1; k <= m / 2; ++k) {
    const std::size_t mirror = m - k;
    const double a = zr[k], b = zi[k], c = zr[mirror], d = zi[mirror];
    const double p = 0.5 * (b + d);
    const double q = -0.5 * (a - c);
    const double cs = m_unpack_cos[k], sn = m_unpack_sin[k];
    const double sum_re = 0.5 * (a + c), diff_im = 0.5 * (b - d);
    const double rot_re = p * cs + q * sn;
    const double rot_im = q * cs - p * sn;
    const double re_k = sum_re + rot_re, im_k = diff_im + rot_im;
    const double re_m = sum_re - rot_re, im_m = rot_im - diff_im;
    power[k] = re_k * re_k + im_k * im_k;
    power[mirror] = re_m * re_m + im_m * im_m;
  }
  const double dc = zr[0] + zi[0];
  const double nyquist = zr[0] - zi[0];
  power[0] = dc * dc;
  power[m] = nyquist * nyquist;
}

}  // namespace driftd::audio
