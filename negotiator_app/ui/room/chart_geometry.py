"""The offer chart's axes and plot rectangle: worked out once per change of its data, size or font, never per
paint (a chart of 750 offers is drawn from them with plain arithmetic)."""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF

from ..nice_axis import nice_step

TICK_LABEL_HALF_PX = 8


@dataclass(frozen=True, slots=True)
class Axes:
    """The price axis (from `low` to `high` in ticks of `step`) and the rounds shown on the x axis."""

    low: float
    high: float
    step: float
    rounds: int

    def ticks(self) -> list[float]:
        return [self.low + i * self.step for i in range(int(round((self.high - self.low) / self.step)) + 1)]


def price_axes(prices: Iterable[float], rounds: int) -> Axes:
    """Axes that hold every price with some room, snapped to whole 1-2-5 ticks."""
    values = list(prices)
    if not values:
        return Axes(0.0, 1.0, 0.25, rounds)
    low, high = min(values), max(values)
    pad = max((high - low) * 0.12, abs(high) * 0.02, 0.5)
    step = nice_step((high - low + 2 * pad) / 4)
    # Snap to whole ticks so the axis reads 4.00, 6.00, 8.00 rather than 3.86, 5.51...
    return Axes(max(0.0, math.floor((low - pad) / step) * step), math.ceil((high + pad) / step) * step, step, rounds)


@dataclass(frozen=True, slots=True)
class PlotGeometry:
    """The plot rectangle and the round → x, price → y mappings at one size."""

    plot: QRectF
    axes: Axes
    left: float
    bottom: float
    x_scale: float  # pixels per round
    y_scale: float  # pixels per unit of price

    def x(self, round_: float) -> float:
        return self.left + (round_ - 0.5) * self.x_scale

    def y(self, price: float) -> float:
        return self.bottom - (price - self.axes.low) * self.y_scale


def plot_geometry(width: int, height: int, metrics: QFontMetricsF, operator_view: bool,
                  axes: Axes) -> PlotGeometry | None:
    """Where the plot goes in a chart of this size, or None when there is no room for one."""
    # The top tick's label reaches 8 px above the plot: the operator line sits above that.
    top = metrics.height() + 4 + TICK_LABEL_HALF_PX if operator_view else TICK_LABEL_HALF_PX
    plot = QRectF(metrics.horizontalAdvance("0000.00") + 10, top, 0, 0)
    plot.setRight(width - 10)
    plot.setBottom(height - metrics.height() - 8)
    if plot.width() < 40 or plot.height() < 30:
        return None
    return PlotGeometry(plot, axes, plot.left(), plot.bottom(), plot.width() / axes.rounds,
                        plot.height() / (axes.high - axes.low))
