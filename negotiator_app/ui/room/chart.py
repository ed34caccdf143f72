"""A QPainter chart of the price each seller offered per round; the operator view adds the hidden limits."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...domain import Offer
from .. import theme
from .chart_geometry import TICK_LABEL_HALF_PX, Axes, PlotGeometry, plot_geometry, price_axes
from .chart_labels import OPERATOR_TEXTS, LimitLabel, operator_text, place_limit_labels

OPERATOR_LABEL = OPERATOR_TEXTS[0]
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
    repaints for every streamed token, the chart only when an offer arrives. The axes and plot rectangle
    are worked out once per such change too, not per paint."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = ChartData()
        self.operator_view = False
        self._cache: QPixmap | None = None
        self._cache_axes: Axes | None = None  # the axes the cache was drawn with
        self._unpainted: list[Offer] = []  # offers added since the cache was drawn, same axes
        self._prices: list[float] = []  # the lowest and highest price offered (empty before the first offer)
        self._last_round = 0  # the latest round an offer was made in
        self._geometry: PlotGeometry | None = None  # at the size, font and data of _geometry_key
        self._geometry_key: tuple | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(140)

    def sizeHint(self) -> QSize:
        return QSize(300, 200)

    def set_data(self, data: ChartData) -> None:
        self.data = data
        prices = [o.price_per_unit for o in data.offers if o.price_per_unit == o.price_per_unit]
        self._prices = [min(prices), max(prices)] if prices else []
        self._last_round = max((o.round for o in data.offers), default=0)
        self.invalidate()

    def add_offer(self, offer: Offer) -> None:
        """Usually drawn onto the cached chart (a redraw of hundreds of offers costs milliseconds): only
        when the axes change, or the chart had no offer yet, is it drawn anew."""
        had_offers = bool(self.data.offers)
        self.data.offers.append(offer)
        price = offer.price_per_unit
        if price == price:
            self._prices = [min(self._prices[0], price), max(self._prices[1], price)] if self._prices else [price, price]
        self._last_round = max(self._last_round, offer.round)
        if self._cache is None or not had_offers or self.axes() != self._cache_axes:
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
        self._geometry_key = None
        self._unpainted.clear()
        self.update()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._cache = None
            self._geometry_key = None
        super().changeEvent(event)

    # ----- geometry ------------------------------------------------------------------------------

    def _price_range(self) -> tuple[float, float]:
        axes = self.axes()
        return axes.low, axes.high

    def axes(self) -> Axes:
        """The axes for the data as it is now (from the extremes kept as offers arrive, never a scan)."""
        prices = list(self._prices)
        if self.operator_view:
            prices += list(self.data.floors.values())
            prices += [self.data.buyer_max] if self.data.buyer_max is not None else []
        return price_axes(prices, max(self.data.max_rounds, self._last_round))

    def geometry_now(self) -> PlotGeometry | None:
        """The plot rectangle and mappings at the current size: worked out again only after the data, the
        size, the operator view or the font changed (None when the chart is too small for a plot)."""
        key = (self.width(), self.height())
        if self._geometry_key != key:
            self._geometry = plot_geometry(self.width(), self.height(), QFontMetricsF(self.font()),
                                           self.operator_view, self.axes())
            self._geometry_key = key
        return self._geometry

    def _frame(self, _painter: QPainter | None = None):
        """The plot rectangle and the round → x, price → y mappings, or None when there is no room."""
        geometry = self.geometry_now()
        return None if geometry is None else (geometry.plot, geometry.x, geometry.y)

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
            self._cache, self._cache_axes = cache, self.axes()
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
        geometry = self.geometry_now()
        if geometry is None:
            return
        plot, x, y = geometry.plot, geometry.x, geometry.y
        rounds = geometry.axes.rounds
        painter.fillRect(plot, palette.color(QPalette.ColorRole.Base))
        painter.setPen(QPen(muted, 1))
        painter.drawRect(plot)
        for price in geometry.axes.ticks():
            painter.drawText(QRectF(0, y(price) - TICK_LABEL_HALF_PX, plot.left() - 6, 2 * TICK_LABEL_HALF_PX),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{price:,.2f}")
        for r in range(1, rounds + 1, max(1, rounds // 10)):
            painter.drawText(QRectF(x(r) - 15, plot.bottom() + 2, 30, metrics.height() + 4),
                             Qt.AlignmentFlag.AlignCenter, str(r))
        if self.operator_view:
            self._draw_limits(painter, plot, x, y, text)
        painter.save()
        painter.setClipRect(plot.adjusted(-6, -6, 6, 6))
        by_seller: dict[str, list[Offer]] = defaultdict(list)  # one pass over the offers, not one per seller
        for offer in self.data.offers:
            if offer.price_per_unit == offer.price_per_unit:
                by_seller[offer.seller].append(offer)
        for seller in self.data.sellers:
            self._draw_seller(painter, seller, by_seller.get(seller, []), geometry)
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

    def _draw_seller(self, painter: QPainter, seller: str, offers: list[Offer], geometry: PlotGeometry) -> None:
        color = self.data.colors.get(seller, QColor("gray"))
        x, y = geometry.x, geometry.y
        points = [QPointF(x(o.round), y(o.price_per_unit)) for o in offers if o.binding]
        if len(points) > 1:
            # Separate segments, not one QPainterPath: stroking a long zig-zag path as a whole costs
            # ~100x more (its self-overlaps are resolved) for the same pixels. Given as point pairs, each
            # point object made once.
            painter.setPen(QPen(color, 2))
            painter.drawLines([point for pair in zip(points, points[1:]) for point in pair])
        if x(2) - x(1) < MIN_MARK_SPACING_PX:
            return
        painter.setPen(QPen(color, 2))
        base = self.palette().color(QPalette.ColorRole.Base)
        for offer in offers:
            # Hollow marks an offer that broke a rule: it was said, but binds nobody.
            painter.setBrush(color if offer.binding else base)
            painter.drawEllipse(QPointF(x(offer.round), y(offer.price_per_unit)), 4.5, 4.5)
