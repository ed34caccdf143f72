"""A QPainter chart of the price each seller offered per round; the operator view adds the hidden limits."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...domain import Offer
from .. import theme
from .chart_labels import OPERATOR_TEXTS, LimitLabel, operator_text, place_limit_labels

OPERATOR_LABEL = OPERATOR_TEXTS[0]
TICK_LABEL_HALF_PX = 8
MIN_MARK_SPACING_PX = 6.0  # rounds closer than this on the x axis get no markers: they would only smudge


@dataclass
class ChartData:
    sellers: list[str] = field(default_factory=list)
    colors: dict[str, QColor] = field(default_factory=dict)
    offers: list[Offer] = field(default_factory=list)
    max_rounds: int = 10
    floors: dict[str, float] = field(default_factory=dict)
    buyer_max: float | None = None


class OfferChart(QWidget):
    """Drawn once into a pixmap and repainted from it until the data, size or palette change: a pane
    repaints for every streamed token, the chart only when an offer arrives."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = ChartData()
        self.operator_view = False
        self._cache: QPixmap | None = None
        self._cache_scale: tuple | None = None  # the axes the cache was drawn with
        self._unpainted: list[Offer] = []  # offers added since the cache was drawn, same axes
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(140)

    def sizeHint(self) -> QSize:
        return QSize(300, 200)

    def set_data(self, data: ChartData) -> None:
        self.data = data
        self.invalidate()

    def add_offer(self, offer: Offer) -> None:
        """Usually drawn onto the cached chart (a redraw of hundreds of offers costs ~5-10 ms): only
        when the axes change, or the chart had no offer yet, is it drawn anew."""
        had_offers = bool(self.data.offers)
        self.data.offers.append(offer)
        if self._cache is None or not had_offers or self._scale() != self._cache_scale:
            self.invalidate()
            return
        self._unpainted.append(offer)
        self.update()

    def set_operator_view(self, on: bool) -> None:
        self.operator_view = on
        self.setToolTip(OPERATOR_LABEL if on else "")
        self.invalidate()

    def invalidate(self) -> None:
        self._cache = None
        self._unpainted.clear()
        self.update()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._cache = None
        super().changeEvent(event)

    # ----- geometry ------------------------------------------------------------------------------

    def _price_range(self) -> tuple[float, float]:
        low, high, _step = self._axis()
        return low, high

    def _axis(self) -> tuple[float, float, float]:
        prices = [o.price_per_unit for o in self.data.offers if o.price_per_unit == o.price_per_unit]
        if self.operator_view:
            prices += list(self.data.floors.values())
            prices += [self.data.buyer_max] if self.data.buyer_max is not None else []
        if not prices:
            return 0.0, 1.0, 0.25
        low, high = min(prices), max(prices)
        pad = max((high - low) * 0.12, abs(high) * 0.02, 0.5)
        step = _nice_step((high - low + 2 * pad) / 4)
        # Snap to whole ticks so the axis reads 4.00, 6.00, 8.00 rather than 3.86, 5.51...
        return max(0.0, math.floor((low - pad) / step) * step), math.ceil((high + pad) / step) * step, step

    def _rounds(self) -> int:
        return max([self.data.max_rounds, *(o.round for o in self.data.offers)])

    def _scale(self) -> tuple:
        return self._axis(), self._rounds(), self.operator_view

    def _frame(self, _painter: QPainter | None = None):
        """The plot rectangle and the round → x, price → y mappings, or None when there is no room."""
        metrics = QFontMetricsF(self.font())
        # The top tick's label reaches 8 px above the plot: the operator line sits above that.
        top = metrics.height() + 4 + TICK_LABEL_HALF_PX if self.operator_view else TICK_LABEL_HALF_PX
        plot = QRectF(metrics.horizontalAdvance("0000.00") + 10, top, 0, 0)
        plot.setRight(self.width() - 10)
        plot.setBottom(self.height() - metrics.height() - 8)
        if plot.width() < 40 or plot.height() < 30:
            return None
        low, high, step = self._axis()
        rounds = self._rounds()

        def x(round_: float) -> float:
            return plot.left() + (round_ - 0.5) / rounds * plot.width()

        def y(price: float) -> float:
            return plot.bottom() - (price - low) / (high - low) * plot.height()

        return plot, x, y

    def paintEvent(self, _event) -> None:
        ratio = self.devicePixelRatioF()
        cache = self._cache
        if cache is None or cache.size() != self.size() * ratio or cache.devicePixelRatioF() != ratio:
            cache = QPixmap(self.size() * ratio)
            cache.setDevicePixelRatio(ratio)
            cache.fill(Qt.GlobalColor.transparent)
            painter = QPainter(cache)
            painter.setFont(self.font())
            self._paint(painter)
            painter.end()
            self._cache, self._cache_scale = cache, self._scale()
            self._unpainted.clear()
        elif self._unpainted:
            painter = QPainter(cache)
            painter.setFont(self.font())
            self._paint_new(painter, self._unpainted)
            painter.end()
            self._unpainted.clear()
        QPainter(self).drawPixmap(0, 0, cache)

    def _paint_new(self, painter: QPainter, new: list[Offer]) -> None:
        """Draw offers added since the cache was drawn (same axes): each one's segment from its seller's
        previous binding offer, then the marks of both ends on top."""
        frame = self._frame(painter)
        if frame is None:
            return
        plot, x, y = frame
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipRect(plot.adjusted(-6, -6, 6, 6))
        marks = x(2) - x(1) >= MIN_MARK_SPACING_PX
        offers = self.data.offers
        base = self.palette().color(QPalette.ColorRole.Base)
        for offer in new:
            if offer.price_per_unit != offer.price_per_unit:
                continue
            color = self.data.colors.get(offer.seller, QColor("gray"))
            index = next(i for i in range(len(offers) - 1, -1, -1) if offers[i] is offer)
            previous = next((o for o in reversed(offers[:index]) if o.seller == offer.seller and o.binding
                             and o.price_per_unit == o.price_per_unit), None)
            painter.setPen(QPen(color, 2))
            if offer.binding and previous is not None:
                painter.drawLine(QPointF(x(previous.round), y(previous.price_per_unit)),
                                 QPointF(x(offer.round), y(offer.price_per_unit)))
            if not marks:
                continue
            for o in (previous, offer):
                if o is not None:
                    painter.setBrush(color if o.binding else base)
                    painter.drawEllipse(QPointF(x(o.round), y(o.price_per_unit)), 4.5, 4.5)
        if self.operator_view:  # a new mark under a limit label must not cover its text
            painter.setClipping(False)
            self._draw_limit_labels(painter, self.palette().color(QPalette.ColorRole.Text))

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        muted = theme.note_color(palette)
        metrics = painter.fontMetrics()
        frame = self._frame(painter)
        if frame is None:
            return
        plot, x, y = frame
        low, high, step = self._axis()
        rounds = self._rounds()
        painter.fillRect(plot, palette.color(QPalette.ColorRole.Base))
        painter.setPen(QPen(muted, 1))
        painter.drawRect(plot)
        ticks = [low + i * step for i in range(int(round((high - low) / step)) + 1)]
        for price in ticks:
            painter.drawText(QRectF(0, y(price) - TICK_LABEL_HALF_PX, plot.left() - 6, 2 * TICK_LABEL_HALF_PX),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{price:,.2f}")
        for r in range(1, rounds + 1, max(1, rounds // 10)):
            painter.drawText(QRectF(x(r) - 15, plot.bottom() + 2, 30, metrics.height() + 4),
                             Qt.AlignmentFlag.AlignCenter, str(r))
        if self.operator_view:
            self._draw_limits(painter, plot, x, y, text)
        painter.save()
        painter.setClipRect(plot.adjusted(-6, -6, 6, 6))
        for seller in self.data.sellers:
            self._draw_seller(painter, seller, x, y)
        painter.restore()
        if self.operator_view:  # on top of the offers: a label's text is never hidden under a mark
            self._draw_limit_labels(painter, text)
        if not self.data.offers:
            painter.setPen(muted)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No offers yet")

    def label_layout(self) -> tuple[tuple[QRectF, str] | None, list[LimitLabel]]:
        """The operator line and the limit labels as drawn at the current size (empty outside operator view)."""
        frame = self._frame()
        if not self.operator_view or frame is None:
            return None, []
        plot, _x, y = frame
        metrics = QFontMetricsF(self.font())
        text = operator_text(self.width() - 8, metrics)
        operator = (QRectF(4, 2, metrics.horizontalAdvance(text) + 2, metrics.height() + 1), text)
        return operator, place_limit_labels(self.data.floors, self.data.buyer_max, y, plot, metrics)

    def _draw_limits(self, painter: QPainter, plot: QRectF, x, y, text: QColor) -> None:
        data = self.data
        if data.buyer_max is not None and data.floors:
            low_floor = min(data.floors.values())
            if low_floor < data.buyer_max:
                zone = QRectF(plot.left(), y(data.buyer_max), plot.width(), y(low_floor) - y(data.buyer_max))
                painter.fillRect(zone.intersected(plot), theme.zone_color(self.palette()))
        for seller, floor in data.floors.items():
            color = data.colors.get(seller, text)
            painter.setPen(QPen(color, 1.2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(plot.left(), y(floor)), QPointF(plot.right(), y(floor)))
        if data.buyer_max is not None:
            painter.setPen(QPen(text, 1.6, Qt.PenStyle.DashDotLine))
            painter.drawLine(QPointF(plot.left(), y(data.buyer_max)), QPointF(plot.right(), y(data.buyer_max)))

    def _draw_limit_labels(self, painter: QPainter, text: QColor) -> None:
        operator, labels = self.label_layout()
        backdrop = QColor(self.palette().color(QPalette.ColorRole.Base))
        backdrop.setAlpha(225)  # the lines stay visible around a label, never through its text
        for label in labels:
            painter.fillRect(label.rect, backdrop)
            painter.setPen(QPen(text, 1))
            if abs(label.rect.center().y() - label.line_y) > label.rect.height() / 2:  # moved off its line
                painter.drawLine(QPointF(label.rect.left() - 1, label.rect.center().y()),
                                 QPointF(label.rect.left() - 9, label.line_y))
            painter.drawText(label.rect, Qt.AlignmentFlag.AlignCenter, label.text)
        if operator is not None:
            painter.setPen(theme.violation_color(self.palette()))
            painter.drawText(operator[0], Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, operator[1])

    def _draw_seller(self, painter: QPainter, seller: str, x, y) -> None:
        color = self.data.colors.get(seller, QColor("gray"))
        offers = [o for o in self.data.offers if o.seller == seller and o.price_per_unit == o.price_per_unit]
        points = [QPointF(x(o.round), y(o.price_per_unit)) for o in offers if o.binding]
        if len(points) > 1:
            # Separate segments, not one QPainterPath: stroking a long zig-zag path as a whole costs
            # ~100x more (its self-overlaps are resolved) for the same pixels.
            painter.setPen(QPen(color, 2))
            painter.drawLines([QLineF(a, b) for a, b in zip(points, points[1:])])
        if x(2) - x(1) < MIN_MARK_SPACING_PX:
            return
        for offer in offers:
            center = QPointF(x(offer.round), y(offer.price_per_unit))
            painter.setPen(QPen(color, 2))
            # Hollow marks an offer that broke a rule: it was said, but binds nobody.
            painter.setBrush(color if offer.binding else self.palette().color(QPalette.ColorRole.Base))
            painter.drawEllipse(center, 4.5, 4.5)


def _nice_step(raw: float) -> float:
    """The 1-2-5 step at or above `raw` (axis ticks a person reads at a glance)."""
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw - 1e-12)
