"""Axis ticks a person reads at a glance: 1-2-5 steps, ends snapped to whole ticks (4.00, 4.50, 5.00…)."""
from __future__ import annotations

import math


def nice_step(raw: float) -> float:
    """The 1-2-2.5-5 step at or above `raw`."""
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw - 1e-12)


def snapped_range(low: float, high: float, ticks: int = 4) -> tuple[float, float, float]:
    """(low, high, step) covering [low, high] in about `ticks` nice steps, both ends on a tick."""
    step = nice_step((high - low) / ticks)
    return math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step, step
