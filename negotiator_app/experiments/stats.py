"""Interval estimates for comparing experiment arms: Wilson, Newcombe and percentile bootstrap. Pure, no I/O."""
from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5 % point of the standard normal distribution
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240517  # fixed: the same data always gives the same interval


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate with its 95 % interval (None where the data cannot give one)."""

    value: float | None
    low: float | None
    high: float | None
    n: int

    @property
    def clear(self) -> bool:
        """For a difference: the interval excludes 0, so the sign is clear at the 95 % level."""
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


NONE = Estimate(None, None, None, 0)


def wilson(successes: int, n: int, z: float = Z95) -> Estimate:
    """Wilson score interval for a rate (good at small n and near 0 or 1, unlike the normal interval)."""
    if n <= 0:
        return NONE
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), n)


def newcombe(successes_a: int, n_a: int, successes_b: int, n_b: int) -> Estimate:
    """Difference of two rates (a − b) with Newcombe's hybrid score interval (his method 10), built from the
    two Wilson intervals."""
    a, b = wilson(successes_a, n_a), wilson(successes_b, n_b)
    if None in (a.value, a.low, a.high, b.value, b.low, b.high):
        return NONE
    assert a.value is not None and a.low is not None and a.high is not None  # narrowed for the type checker
    assert b.value is not None and b.low is not None and b.high is not None
    d = a.value - b.value
    low = d - math.sqrt((a.value - a.low) ** 2 + (b.high - b.value) ** 2)
    high = d + math.sqrt((a.high - a.value) ** 2 + (b.value - b.low) ** 2)
    return Estimate(d, low, high, min(n_a, n_b))


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default, 'linear'): position q·(n−1) in the sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def median(values: Sequence[float]) -> float | None:
    return percentile(sorted(values), 0.5) if values else None


def bootstrap_means(values: Sequence[float], resamples: int, rng: random.Random) -> list[float]:
    n = len(values)
    return [math.fsum(rng.choices(values, k=n)) / n for _ in range(resamples)]


def ratio(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Pooled ratio Σ numerator / Σ denominator (None when the denominators sum to 0)."""
    den = math.fsum(d for _, d in pairs)
    return math.fsum(n for n, _ in pairs) / den if den else None


def _resampled_ratios(pairs: Sequence[tuple[float, float]], resamples: int, rng: random.Random) -> list[float]:
    out = []
    for _ in range(resamples):
        value = ratio(rng.choices(pairs, k=len(pairs)))
        if value is not None:
            out.append(value)
    return out


def bootstrap_ratio(pairs: Sequence[tuple[float, float]], *, resamples: int = BOOTSTRAP_RESAMPLES,
                    seed: int = BOOTSTRAP_SEED) -> Estimate:
    """A pooled ratio (e.g. violations per seller message) with a bootstrap interval that resamples whole runs,
    not messages: messages of one run are not independent of each other."""
    pairs = list(pairs)
    value = ratio(pairs)
    if value is None:
        return Estimate(None, None, None, len(pairs))
    ratios = sorted(_resampled_ratios(pairs, resamples, random.Random(seed)))
    return Estimate(value, percentile(ratios, 0.025), percentile(ratios, 0.975), len(pairs))


def bootstrap_ratio_difference(a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]], *,
                               resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> Estimate:
    """Difference of two pooled ratios (a − b), runs resampled within each arm."""
    ra, rb = ratio(list(a)), ratio(list(b))
    if ra is None or rb is None:
        return NONE
    rng = random.Random(seed)
    diffs = []
    for _ in range(resamples):
        x, y = ratio(rng.choices(a, k=len(a))), ratio(rng.choices(b, k=len(b)))
        if x is not None and y is not None:
            diffs.append(x - y)
    diffs.sort()
    return Estimate(ra - rb, percentile(diffs, 0.025), percentile(diffs, 0.975), min(len(a), len(b)))


def bootstrap_mean(values: Sequence[float], *, resamples: int = BOOTSTRAP_RESAMPLES,
                   seed: int = BOOTSTRAP_SEED) -> Estimate:
    """Mean with a 95 % percentile-bootstrap interval (seeded: deterministic for the same values)."""
    values = list(values)
    if not values:
        return NONE
    means = sorted(bootstrap_means(values, resamples, random.Random(seed)))
    return Estimate(mean(values), percentile(means, 0.025), percentile(means, 0.975), len(values))


def bootstrap_difference(a: Sequence[float], b: Sequence[float], *, resamples: int = BOOTSTRAP_RESAMPLES,
                         seed: int = BOOTSTRAP_SEED) -> Estimate:
    """Difference of two means (a − b): each arm resampled on its own, the 2.5th and 97.5th percentiles of the
    resampled differences."""
    a, b = list(a), list(b)
    if not a or not b:
        return NONE
    rng = random.Random(seed)
    means_a = bootstrap_means(a, resamples, rng)
    means_b = bootstrap_means(b, resamples, rng)
    diffs = sorted(x - y for x, y in zip(means_a, means_b))
    return Estimate(mean(a) - mean(b), percentile(diffs, 0.025), percentile(diffs, 0.975), min(len(a), len(b)))
