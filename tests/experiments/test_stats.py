"""The interval statistics against values computed by hand (arithmetic in the comments) and published ones."""
import itertools
import math

import pytest

from negotiator_app.experiments.stats import (
    Estimate, bootstrap_difference, bootstrap_mean, median, newcombe, percentile, wilson,
)


def test_wilson_7_of_20_by_hand():
    # p = 7/20 = 0.35, n = 20, z = 1.959964, z² = 3.841459, z²/n = 0.1920730, 1 + z²/n = 1.1920730
    # centre = (0.35 + z²/(2n)) / 1.1920730 = (0.35 + 0.0960365) / 1.1920730 = 0.4460365 / 1.1920730 = 0.3741681
    # half   = z / 1.1920730 · sqrt(p(1−p)/n + z²/(4n²)) = 1.6441677 · sqrt(0.011375 + 0.0024009) = 1.6441677 · 0.1173708
    #        = 0.1929746
    # interval = 0.3741681 ∓ 0.1929746 = [0.1811935, 0.5671427]  (tables give 0.1812 – 0.5671)
    e = wilson(7, 20)
    assert e.value == pytest.approx(0.35)
    assert e.low == pytest.approx(0.18119, abs=1e-5)
    assert e.high == pytest.approx(0.56714, abs=1e-5)
    assert e.n == 20


def test_wilson_at_the_edges_by_hand():
    # 0/10: centre = (0 + z²/20)/(1 + z²/10) = 0.1920730/1.3841459 = 0.1387664; half = z/1.3841459 · sqrt(z²/400)
    #       = 1.4159949 · 0.0979982 = 0.1387664 → [0, 0.2775328]
    e = wilson(0, 10)
    assert e.low == 0.0
    assert e.high == pytest.approx(0.27753, abs=1e-5)
    # 10/10 is the mirror image
    assert wilson(10, 10).low == pytest.approx(1 - 0.27753, abs=1e-5)
    assert wilson(0, 0).value is None


def test_newcombe_hybrid_score_on_newcombes_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 vs 48/80, method 10 → 0.0524 to 0.3339.
    # By hand: Wilson 56/70 = [0.6920, 0.8769], Wilson 48/80 = [0.4909, 0.7003]; d = 0.8 − 0.6 = 0.2
    # low  = 0.2 − sqrt((0.8 − 0.6920)² + (0.7003 − 0.6)²) = 0.2 − sqrt(0.011664 + 0.010060) = 0.2 − 0.14739 = 0.0526
    # high = 0.2 + sqrt((0.8769 − 0.8)² + (0.6 − 0.4909)²) = 0.2 + sqrt(0.005914 + 0.011903) = 0.2 + 0.13348 = 0.3335
    # (the small gap to the paper is the 4-digit rounding of the Wilson limits above)
    d = newcombe(56, 70, 48, 80)
    assert d.value == pytest.approx(0.2)
    assert d.low == pytest.approx(0.0524, abs=1e-4)
    assert d.high == pytest.approx(0.3339, abs=1e-4)
    assert d.clear


def test_a_difference_whose_interval_holds_zero_is_not_clear():
    # 7/20 vs 9/20: d = −0.1; Wilson 9/20 = [0.2582, 0.6579], so low = −0.1 − sqrt(0.1688² + 0.2079²) < 0 < high
    d = newcombe(7, 20, 9, 20)
    assert d.value == pytest.approx(-0.1)
    assert d.low < 0 < d.high
    assert not d.clear
    assert not Estimate(None, None, None, 0).clear


def test_percentile_is_linear_interpolation_by_hand():
    # [1, 2, 4, 8]: q = 0.5 → position 1.5 → 2 + 0.5·(4 − 2) = 3; q = 0.025 → position 0.075 → 1 + 0.075·1 = 1.075
    assert percentile([1, 2, 4, 8], 0.5) == 3
    assert percentile([1, 2, 4, 8], 0.025) == pytest.approx(1.075)
    assert median([8, 1, 4, 2]) == 3
    assert median([]) is None


def _exact_bootstrap_quantiles(values, q_low=0.025, q_high=0.975):
    """Every one of the n^n equally likely resamples, enumerated: the exact bootstrap distribution's quantiles."""
    n = len(values)
    means = sorted(sum(s) / n for s in itertools.product(values, repeat=n))
    return means[math.floor(q_low * len(means))], means[math.ceil(q_high * len(means)) - 1]


def test_bootstrap_mean_agrees_with_the_exhaustive_enumeration():
    # 4 values → 4⁴ = 256 equally likely resamples; their exact 2.5 % and 97.5 % quantiles are resample means.
    # Sums of these values are multiples of 0.1, so the means lie on a grid of step 0.025; 2,000 seeded resamples
    # (Monte Carlo error) must land within two grid steps of the exact quantiles.
    values = [0.0, 0.2, 0.5, 1.0]
    exact_low, exact_high = _exact_bootstrap_quantiles(values)
    e = bootstrap_mean(values)
    assert e.value == pytest.approx(0.425)  # (0 + 0.2 + 0.5 + 1) / 4
    assert abs(e.low - exact_low) <= 0.05 + 1e-9
    assert abs(e.high - exact_high) <= 0.05 + 1e-9
    assert e.low < e.value < e.high


def test_bootstrap_is_deterministic_and_collapses_on_constant_data():
    values = [0.3, 0.9, 0.1, 0.4, 0.7]
    assert bootstrap_mean(values) == bootstrap_mean(values)
    assert bootstrap_mean([0.6] * 5) == Estimate(0.6, 0.6, 0.6, 5)
    assert bootstrap_mean([]).value is None


def test_bootstrap_difference_of_separated_arms_is_clear_and_of_equal_arms_is_not():
    a = [0.8, 0.9, 0.85, 0.95, 0.9, 0.8]
    b = [0.1, 0.2, 0.15, 0.1, 0.3, 0.2]
    d = bootstrap_difference(a, b)
    assert d.value == pytest.approx(0.8666667 - 0.175)  # 5.2/6 − 1.05/6
    # every resample of a has mean ≥ 0.8 and of b ≤ 0.3, so each resampled difference is ≥ 0.5
    assert d.low >= 0.5 and d.clear
    same = bootstrap_difference(a, a)
    assert same.value == 0 and same.low < 0 < same.high and not same.clear


def test_pooled_ratio_and_its_run_level_bootstrap():
    from negotiator_app.experiments.stats import bootstrap_ratio, bootstrap_ratio_difference, ratio

    # runs with (violations, seller messages): (1, 10), (0, 10), (3, 20) → 4 / 40 = 0.1 pooled (not the mean of
    # the per-run rates, (0.1 + 0 + 0.15)/3 = 0.0833)
    runs = [(1, 10), (0, 10), (3, 20)]
    assert ratio(runs) == pytest.approx(0.1)
    e = bootstrap_ratio(runs)
    # a resample of runs can hold only (0, 10)s → 0, or only (3, 20)s → 0.15: the interval lies inside [0, 0.15]
    assert e.value == pytest.approx(0.1) and 0 <= e.low < 0.1 < e.high <= 0.15
    assert ratio([(0, 0)]) is None and bootstrap_ratio([(0, 0)]).value is None
    d = bootstrap_ratio_difference([(5, 10), (6, 10)], [(0, 10), (1, 10)])
    # every resample of a is ≥ 0.5 and of b ≤ 0.1 → each difference ≥ 0.4
    assert d.value == pytest.approx(0.55 - 0.05) and d.low >= 0.4 and d.clear
