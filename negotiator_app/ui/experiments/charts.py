"""Painted charts of an experiment: per-arm estimates with 95 % interval bars, and deal positions as dots."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..nice_axis import snapped_range

LABEL_WIDTH = 110
TITLE_HEIGHT = 22
AXIS_HEIGHT = 18
ROW_HEIGHT = 26


@dataclass(frozen=True, slots=True)
class ArmEstimate:
    arm: str
    value: float | None
    low: float | None
    high: float | None


def _colors(widget: QWidget) -> dict[str, QColor]:
    pal = widget.palette()
    dark = pal.color(QPalette.ColorRole.Base).lightness() < 128
    return {"text": pal.color(QPalette.ColorRole.WindowText), "muted": pal.color(QPalette.ColorRole.PlaceholderText),
            "grid": pal.color(QPalette.ColorRole.Mid), "mark": QColor.fromHsl(212, 170, 170 if dark else 100),
            "dot": QColor.fromHsl(140, 150, 160 if dark else 90, 170)}


class _ArmRowsChart(QWidget):
    """A title, one row per arm with its name on the left, and a horizontal value axis under the rows."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.arms: list[str] = []
        self.lo, self.hi, self.step = 0.0, 1.0, 0.25  # the value axis, ticks every `step`
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(360, TITLE_HEIGHT + AXIS_HEIGHT + ROW_HEIGHT * max(len(self.arms), 2) + 8)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(220, self.sizeHint().height())

    def x_of(self, value: float) -> float:
        plot = self._plot()
        span = (self.hi - self.lo) or 1.0
        return plot.left() + (value - self.lo) / span * plot.width()

    def row_height(self) -> float:
        """Rows share the height the layout gives, within bounds (a few arms must not look stretched)."""
        free = (self.height() - TITLE_HEIGHT - AXIS_HEIGHT - 8) / max(len(self.arms), 1)
        return min(max(free, ROW_HEIGHT), 3 * ROW_HEIGHT)

    def _plot(self) -> QRectF:
        return QRectF(LABEL_WIDTH, TITLE_HEIGHT, self.width() - LABEL_WIDTH - 16, self.row_height() * len(self.arms))

    def row_center(self, index: int) -> float:
        return TITLE_HEIGHT + self.row_height() * (index + 0.5)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        c = _colors(self)
        painter.setPen(c["text"])
        painter.drawText(QRectF(0, 0, self.width(), TITLE_HEIGHT), Qt.AlignmentFlag.AlignLeft
                         | Qt.AlignmentFlag.AlignVCenter, self.title)
        if not self.arms or not self.has_data():
            painter.setPen(c["muted"])
            painter.drawText(self.rect().adjusted(0, TITLE_HEIGHT, 0, 0), Qt.AlignmentFlag.AlignCenter,
                             "No finished runs with data yet.")
            return
        plot = self._plot()
        for i, arm in enumerate(self.arms):
            painter.setPen(c["text"])
            painter.drawText(QRectF(0, self.row_center(i) - ROW_HEIGHT / 2, LABEL_WIDTH - 8, ROW_HEIGHT),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             painter.fontMetrics().elidedText(arm, Qt.TextElideMode.ElideRight, LABEL_WIDTH - 12))
        painter.setPen(QPen(c["grid"], 1))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        for k in range(int(round((self.hi - self.lo) / self.step)) + 1):
            value = self.lo + k * self.step
            px = self.x_of(value)
            painter.setPen(QPen(c["grid"], 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(px, plot.top()), QPointF(px, plot.bottom()))
            painter.setPen(c["muted"])
            painter.drawText(QRectF(px - 40, plot.bottom() + 2, 80, AXIS_HEIGHT), Qt.AlignmentFlag.AlignCenter,
                             self.tick(value))
        self.draw_rows(painter, c)

    def has_data(self) -> bool:
        return True

    def tick(self, value: float) -> str:
        return f"{value:,.2f}"

    def draw_rows(self, painter: QPainter, c: dict[str, QColor]) -> None:
        raise NotImplementedError


class IntervalChart(_ArmRowsChart):
    """Each arm's estimate as a dot with its 95 % interval as a bar; `percent` shows 0..1 values as 0..100 %."""

    def __init__(self, title: str, percent: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.percent = percent
        self.estimates: list[ArmEstimate] = []

    def set_estimates(self, estimates: list[ArmEstimate]) -> None:
        self.estimates = estimates
        self.arms = [e.arm for e in estimates]
        if self.percent:
            self.lo, self.hi, self.step = 0.0, 1.0, 0.25
        else:
            values = [v for e in estimates for v in (e.value, e.low, e.high) if v is not None]
            low, high = (min(values), max(values)) if values else (0.0, 1.0)
            pad = (high - low) * 0.1 or max(abs(high) * 0.05, 0.5)
            self.lo, self.hi, self.step = snapped_range(low - pad, high + pad)
        self.updateGeometry()
        self.update()

    def has_data(self) -> bool:
        return any(e.value is not None for e in self.estimates)

    def tick(self, value: float) -> str:
        return f"{value * 100:.0f}%" if self.percent else f"{value:,.2f}"

    def draw_rows(self, painter: QPainter, c: dict[str, QColor]) -> None:
        for i, e in enumerate(self.estimates):
            if e.value is None:
                continue
            y = self.row_center(i)
            painter.setPen(QPen(c["mark"], 2))
            if e.low is not None and e.high is not None:
                left, right = self.x_of(e.low), self.x_of(e.high)
                painter.drawLine(QPointF(left, y), QPointF(right, y))
                for px in (left, right):  # the interval's caps
                    painter.drawLine(QPointF(px, y - 5), QPointF(px, y + 5))
            painter.setBrush(c["mark"])
            painter.drawEllipse(QPointF(self.x_of(e.value), y), 4.5, 4.5)


class PositionStrip(_ArmRowsChart):
    """Every deal's position between the lowest floor (0) and the buyer's max (1), one dot per deal, per arm."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Deal positions (0 = lowest floor, 1 = buyer's max)", parent)
        self.positions: dict[str, list[float]] = {}

    def set_positions(self, positions: dict[str, list[float]]) -> None:
        self.positions = positions
        self.arms = list(positions)
        self.updateGeometry()
        self.update()

    def has_data(self) -> bool:
        return any(self.positions.values())

    def draw_rows(self, painter: QPainter, c: dict[str, QColor]) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(c["dot"])
        for i, arm in enumerate(self.arms):
            y = self.row_center(i)
            for k, value in enumerate(sorted(self.positions[arm])):
                # A fixed vertical spread (not random) so equal positions stay visible and the picture is stable.
                offset = ((k * 7) % 9 - 4) * self.row_height() / 14
                painter.drawEllipse(QPointF(self.x_of(min(max(value, 0.0), 1.0)), y + offset), 3.5, 3.5)
