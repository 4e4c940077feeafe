#!/usr/bin/env python3
"""Computes every number quoted in docs/drift.md (numpy + scipy; Debian 12: python3-numpy,
python3-scipy). Run: python3 docs/drift_numbers.py [path/to/convention_cases.json]"""

import json
import math
import sys

import numpy as np
from scipy.stats import chi2, norm


def drift_scores(ref, cur, bins=10):
    """The SPEC section 6 convention, exactly as docs/drift.md shows it."""
    edges = np.quantile(ref, np.arange(1, bins) / bins)
    n_ref = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=bins)
    n_cur = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=bins)
    p = (n_ref + 0.5) / (n_ref.sum() + 0.5 * bins)
    q = (n_cur + 0.5) / (n_cur.sum() + 0.5 * bins)
    psi = np.sum((q - p) * np.log(q / p))
    kl = np.sum(p * np.log(p / q))
    m = (p + q) / 2
    js = 0.5 * np.sum(p * np.log2(p / m)) + 0.5 * np.sum(q * np.log2(q / m))
    return edges, n_ref, n_cur, psi, kl, js


def section(title):
    print(f"\n## {title}")


def convention(path):
    section("convention snippet against convention_cases.json")
    cases = json.load(open(path))["cases"]
    worst = 0.0
    for c in cases:
        edges, n_ref, n_cur, psi, kl, js = drift_scores(
            np.array(c["reference"], float), np.array(c["current"], float), c["bins"])
        assert list(edges) == c["edges"] and list(n_ref) == c["ref_counts"]
        assert list(n_cur) == c["cur_counts"]
        for got, want in ((psi, c["psi"]), (kl, c["kl"]), (js, c["js"])):
            worst = max(worst, abs(got - want))
    print(f"{len(cases)} cases: edges and counts identical, max |score difference| = {worst}")


def critical_values():
    section("chi-squared critical values (scipy.stats.chi2.isf)")
    for df, alpha in ((9, 0.05), (9, 0.001), (1, 0.05), (29, 0.05)):
        print(f"df={df} alpha={alpha}: {chi2.isf(alpha, df):.12f}")
    for m in (14, 15, 16):
        print(f"df=9 alpha=0.01/{m}={0.01 / m:.6g}: {chi2.isf(0.01 / m, 9):.6f}")
    print(f"df=19 alpha=0.01/16: {chi2.isf(0.01 / 16, 19):.6f}")
    print(f"normal one-sided z at 0.01/16: {norm.isf(0.01 / 16):.6f}")


def critical_psi_table():
    section("critical PSI, B=10, m=16 tests, alpha=0.01, N_eff=4000")
    c = chi2.isf(0.01 / 16, 9)
    for m_eff in (60, 100, 200, 400, 500, 1000, 2000):
        crit = (1 / 4000 + 1 / m_eff) * c
        null_mean = 9 * (1 / 4000 + 1 / m_eff)
        print(f"M_eff={m_eff:5d}: critical PSI {crit:.4f}, E[PSI | no drift] {null_mean:.4f}")
    for floor in (0.25, 0.1):
        m_star = 1 / (floor / c - 1 / 4000)
        print(f"significance binds below M_eff = {m_star:.1f} for floor {floor}")
    section("false warn rate if warn ignored significance (N=4000, iid, 14 features)")
    for m in (200, 500):
        per_feature = chi2.sf(0.1 / (1 / 4000 + 1 / m), 9)
        print(f"M={m}: P(PSI >= 0.1) per feature {per_feature:.4f}, "
              f"any of 14: {1 - (1 - per_feature) ** 14:.3f}")


def population_psi():
    section("population PSI of shifts, 10 decile bins of N(0,1)")
    edges = norm.ppf(np.arange(1, 10) / 10)

    def psi(cdf):
        q = np.diff(np.concatenate([[0], cdf(edges), [1]]))
        return np.sum((q - 0.1) * np.log(q / 0.1))

    for d in (0.3, 0.5, 0.6):
        print(f"mean shift {d} sd: PSI {psi(lambda x: norm.cdf(x - d)):.4f}")
    for s in (0.5, 0.7, 1.5, 2.0):
        print(f"scale x{s}: PSI {psi(lambda x: norm.cdf(x / s)):.4f}")
    # Smallest shift and scale that reach psi_alarm = 0.25.
    lo, hi = 0.0, 2.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if psi(lambda x: norm.cdf(x - mid)) < 0.25 else (lo, mid)
    print(f"mean shift reaching PSI 0.25: {hi:.3f} sd")
    lo, hi = 1.0, 3.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if psi(lambda x: norm.cdf(x / mid)) < 0.25 else (lo, mid)
    print(f"scale reaching PSI 0.25: x{hi:.3f}")


def overlap(k, w=1000, s=300):
    total = sum((k - d) * max(0.0, 1 - d * s / w) for d in range(1, k))
    return 1 + 2 * total / k if k > 1 else 1.0


def effective_sizes():
    section("overlap design effect D(k), windows 1000 ms every 300 ms")
    for seconds in (1, 2.5, 10, 60):
        k = int((seconds * 1000 - 1000) // 300) + 1
        print(f"{seconds} s clip: k={k}, D(k)={overlap(k):.4f}, worth {k / overlap(k):.3f} windows")
    measured, df = 1.32878, 99 * 9  # test_drift_significance: 100 clips of 6 windows
    shrunk = (df * measured + 90 * overlap(6)) / (df + 90)
    print(f"100 clips x 6 windows, measured D 1.329 (nu={df}): D = {shrunk:.4f}, "
          f"M_eff = {600 / shrunk:.1f} of 600 windows")
    section("smoothing shrink of the current side's PSI contribution, B=10")
    for m in (200, 1000, 2000):
        print(f"M={m}: (M / (M + 5))^2 = {(m / (m + 5)) ** 2:.4f}")


def design_effect_identity():
    section("design-effect sums: expanded form equals the definition")
    rng = np.random.default_rng(1)
    bins = 10
    clips = [rng.integers(0, bins, rng.integers(1, 30)) for _ in range(200)]
    n = sum(len(c) for c in clips)
    S = np.array([np.bincount(c, minlength=bins) for c in clips])
    k = np.array([len(c) for c in clips])
    p = S.sum(0) / n
    direct = sum(((S[i] - k[i] * p) ** 2 / p).sum() for i in range(len(clips)))
    R, T, K = (S ** 2).sum(0), (k[:, None] * S).sum(0), (k ** 2).sum()
    expanded = (R / p - 2 * T + p * K).sum()
    print(f"direct {direct:.10f}, expanded {expanded:.10f}")


if __name__ == "__main__":
    convention(sys.argv[1] if len(sys.argv) > 1 else
               "../shared/testdata/drift/convention_cases.json")
    critical_values()
    critical_psi_table()
    population_psi()
    effective_sizes()
    design_effect_identity()
