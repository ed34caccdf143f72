"""Where the offer chart's limit labels go: one column at the plot's right edge, never overlapping (labels of
close floors are merged when the plot is too short for all of them), and an operator line that always fits."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF

# Longest first: the first that fits the chart's width is shown whole (never clipped); the tooltip says it all.
OPERATOR_TEXTS = ("Operator view: floors and buyer max are hidden from the agents",
                  "Operator view: limits hidden from the agents", "Operator view")
LABEL_GAP_PX = 1.0


@dataclass
class LimitLabel:
    text: str
    kind: str  # 'floor' or 'buyer_max'
    line_y: float  # the y of the line (or, merged, the lines' middle) it names
    rect: QRectF
    sellers: list[str]


@dataclass
class _Group:
    kind: str
    prices: list[float]
    sellers: list[tuple[float, int, str]]  # (floor, seller's place in the room, name)

    def text(self) -> str:
        if self.kind == "buyer_max":
            return f"buyer max {self.prices[0]:,.2f}"
        low, high = min(self.prices), max(self.prices)
        names = ", ".join(name for *_, name in sorted(self.sellers))  # cheapest floor first
        return f"floor {low:,.2f}: {names}" if low == high else f"floors {low:,.2f}–{high:,.2f}: {names}"


def operator_text(width: float, metrics: QFontMetricsF) -> str:
    return next((t for t in OPERATOR_TEXTS if metrics.horizontalAdvance(t) <= width), OPERATOR_TEXTS[-1])


def place_limit_labels(floors: dict[str, float], buyer_max: float | None, y: Callable[[float], float],
                       plot: QRectF, metrics: QFontMetricsF) -> list[LimitLabel]:
    """Labels for the floors (equal floors share one) and the buyer's max, top to bottom."""
    by_price: dict[float, list[tuple[float, int, str]]] = {}
    for place, (seller, floor) in enumerate(floors.items()):
        by_price.setdefault(floor, []).append((floor, place, seller))
    groups = [_Group("floor", [price], sellers) for price, sellers in by_price.items()]
    if buyer_max is not None:
        groups.append(_Group("buyer_max", [buyer_max], []))
    groups.sort(key=lambda g: -max(g.prices))  # highest price first: top of the plot first
    height = metrics.height() + 2
    fits = max(1, int((plot.height() + LABEL_GAP_PX) // (height + LABEL_GAP_PX)))
    while len(groups) > fits and _merge_closest_floors(groups):
        pass
    if len(groups) > fits:  # only the buyer's max and one floor label left, in a plot too short for both
        groups = [g for g in groups if g.kind == "buyer_max"][:fits]
    wanted = [sum(y(p) for p in g.prices) / len(g.prices) for g in groups]
    tops = _spread([w - height / 2 for w in wanted], height, plot.top(), plot.bottom())
    labels = []
    for group, line_y, top in zip(groups, wanted, tops):
        width = min(metrics.horizontalAdvance(group.text()) + 6, plot.width() - 8)
        text = metrics.elidedText(group.text(), Qt.TextElideMode.ElideRight, width - 6)
        labels.append(LimitLabel(text, group.kind, line_y, QRectF(plot.right() - 4 - width, top, width, height),
                                 [name for *_, name in sorted(group.sellers)]))
    return labels


def _merge_closest_floors(groups: list[_Group]) -> bool:
    """Merge the two neighbouring floor labels whose prices are closest; False when none are left to merge."""
    pairs = [(min(a.prices) - max(b.prices), i) for i, (a, b) in enumerate(zip(groups, groups[1:]))
             if a.kind == b.kind == "floor"]
    if not pairs:
        return False
    _, i = min(pairs)
    upper, lower = groups[i], groups.pop(i + 1)
    upper.prices += lower.prices
    upper.sellers += lower.sellers
    return True


def _spread(tops: list[float], height: float, low: float, high: float) -> list[float]:
    """Move boxes of `height` (sorted by wanted top) apart so none overlap, keeping them within low..high."""
    placed: list[float] = []
    for top in tops:  # downwards: each below the previous
        top = max(top, low, placed[-1] + height + LABEL_GAP_PX if placed else low)
        placed.append(top)
    limit = high - height
    for i in range(len(placed) - 1, -1, -1):  # upwards: back inside the bottom edge
        placed[i] = min(placed[i], limit)
        limit = placed[i] - height - LABEL_GAP_PX
    return placed
