"""Price chart drawn with QPainter: per item, the buyer's range, the seller's floor and ask, and the deal."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..domain import SessionConfig, money, plan_rooms

ROW_HEIGHT = 44
LABEL_WIDTH = 170
LEGEND_HEIGHT = 28


@dataclass(frozen=True)
class ChartRow:
    item: str
    buyer_max: float
    ask: float | None  # the winning seller's ask, else the lowest ask in the room
    floor: float | None
    price: float | None  # the deal's price per unit; None when nothing was bought


def chart_rows(metrics, config: SessionConfig) -> list[ChartRow]:
    """Rows for the items that have a room, using the latest run of each (from `session_metrics`)."""
    rooms = {room.key: room for room in plan_rooms(config).rooms}
    rows = []
    for row in metrics.items:
        room = rooms.get(row.room_key or "")
        if room is None:
            continue
        latest = row.latest
        winner = room.seller(latest.seller) if latest and latest.seller else None
        stock = winner.stock if winner else min((s.stock for s in room.sellers), key=lambda s: s.selling_price)
        rows.append(ChartRow(room.item.name, room.item.max_price, stock.selling_price, stock.least_price,
                             latest.price_per_unit if latest and latest.bought else None))
    return rows


class PriceChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ChartRow] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Final price against ask, floor and buyer's max per item")

    def set_rows(self, rows: list[ChartRow]) -> None:
        self.rows = rows
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(600, LEGEND_HEIGHT + ROW_HEIGHT * max(1, len(self.rows)) + 24)

    def _colors(self) -> dict[str, QColor]:
        pal = self.palette()
        dark = pal.color(QPalette.ColorRole.Base).lightness() < 128
        light = 170 if dark else 110
        return {
            "text": pal.color(QPalette.ColorRole.WindowText),
            "muted": pal.color(QPalette.ColorRole.PlaceholderText),
            "range": QColor.fromHsl(212, 120, 120 if dark else 225),
            "floor": QColor.fromHsl(28, 200, light),
            "ask": QColor.fromHsl(0, 170, light),
            "max": QColor.fromHsl(212, 170, light),
            "price": QColor.fromHsl(140, 160, light - 20),
        }

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        c = self._colors()
        if not self.rows:
            painter.setPen(c["muted"])
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No item to chart yet: run the rooms first.")
            return
        self._legend(painter, c)
        plot = QRectF(LABEL_WIDTH, LEGEND_HEIGHT, self.width() - LABEL_WIDTH - 24, ROW_HEIGHT * len(self.rows))
        for i, row in enumerate(self.rows):
            # Each item gets its own scale: a cable at 12 and a chair at 300 must both be readable.
            values = [v for v in (row.floor, row.ask, row.buyer_max, row.price) if v is not None]
            low, high = min(values) * 0.9, max(values) * 1.05
            span = (high - low) or 1.0

            def x(value: float) -> float:
                return plot.left() + plot.width() * (value - low) / span

            y = plot.top() + ROW_HEIGHT * i + ROW_HEIGHT / 2
            painter.setPen(c["text"])
            label = painter.fontMetrics().elidedText(row.item, Qt.TextElideMode.ElideRight, LABEL_WIDTH - 12)
            painter.drawText(QRectF(0, y - 10, LABEL_WIDTH - 8, 20), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            painter.setPen(QPen(c["muted"], 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            if row.floor is not None and row.ask is not None:  # the zone a deal can land in
                painter.fillRect(QRectF(x(row.floor), y - 7, x(row.ask) - x(row.floor), 14), c["range"])
            for value, key in ((row.floor, "floor"), (row.ask, "ask"), (row.buyer_max, "max")):
                if value is not None:
                    painter.setPen(QPen(c[key], 3))
                    painter.drawLine(QPointF(x(value), y - 11), QPointF(x(value), y + 11))
            if row.price is not None:
                _diamond(painter, QPointF(x(row.price), y), c["price"])
                painter.setPen(c["text"])
                painter.drawText(QPointF(x(row.price) - 20, y - 13), money(row.price))

    def _legend(self, painter: QPainter, c: dict[str, QColor]) -> None:
        font = QFont(painter.font())
        painter.setFont(font)
        xpos = LABEL_WIDTH
        for key, text in (("floor", "seller's floor"), ("ask", "seller's ask"), ("max", "buyer's max"), ("price", "deal price")):
            if key == "price":
                _diamond(painter, QPointF(xpos + 5, 12), c[key])
            else:
                painter.setPen(QPen(c[key], 3))
                painter.drawLine(QPointF(xpos + 5, 4), QPointF(xpos + 5, 20))
            painter.setPen(c["text"])
            painter.drawText(QPointF(xpos + 14, 17), text)
            xpos += 28 + painter.fontMetrics().horizontalAdvance(text)


def _diamond(painter: QPainter, center: QPointF, color: QColor) -> None:
    path = QPainterPath()
    path.moveTo(center.x(), center.y() - 7)
    path.lineTo(center.x() + 7, center.y())
    path.lineTo(center.x(), center.y() + 7)
    path.lineTo(center.x() - 7, center.y())
    path.closeSubpath()
    painter.fillPath(path, color)
