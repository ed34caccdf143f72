"""The offers panel: each seller's asking price and standing offer, and the chart of offers per round."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ...domain import Offer, RoomPlan, money
from .. import theme
from .chart import ChartData, OfferChart

COLUMNS = ["Seller", "Asks", "Standing offer", "Floor"]
FLOOR_COLUMN = 3


class OffersPanel(QWidget):
    """Rows follow the room's sellers; the Floor column and the chart's limits show in operator view only."""

    def __init__(self, plan: RoomPlan, colors: dict[str, QColor], max_rounds: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.colors = colors
        self.max_rounds = max_rounds
        self.table = QTableWidget(len(plan.sellers), len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSizePolicy(self.table.sizePolicy().horizontalPolicy(), QSizePolicy.Policy.Expanding)
        self.buyer_label = QLabel(self)
        self.buyer_label.setWordWrap(True)
        self.chart = OfferChart(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Offers</b> (asking prices are known to you, not to the buyer)", self))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buyer_label)
        layout.addWidget(self.chart, 1)
        self.operator_view = False
        self._history: list[Offer] = []
        self._stale = False  # the table waits to be filled until shown
        self.set_offers([])

    def clear(self) -> None:
        """No offers (a new run begins, another is shown): nothing to redo when there are none already."""
        if self._history:
            self.set_offers([])

    def set_offers(self, history: list[Offer]) -> None:
        """Rebuild from a whole offer history (a new, resumed or stored run)."""
        self._history = list(history)
        self._standing: dict[str, Offer] = {}
        for offer in history:
            if offer.binding:
                self._standing[offer.seller] = offer
        if self._out_of_sight():
            self._stale = True  # in a hidden tab, or the grid's compact pane: filled when shown
        else:
            self._fill()
        self.chart.set_data(ChartData(
            sellers=self.plan.seller_names, colors=self.colors, offers=list(history), max_rounds=self.max_rounds,
            floors={s.name: s.stock.least_price for s in self.plan.sellers}, buyer_max=self.plan.item.max_price,
        ))

    def add_offer(self, offer: Offer) -> None:
        self._history.append(offer)
        if offer.binding:
            self._standing[offer.seller] = offer
        row = next((i for i, s in enumerate(self.plan.sellers) if s.name == offer.seller), None)
        if self._out_of_sight():
            self._stale = True  # in a hidden tab, or the grid's compact pane: refilled when shown
        elif self._stale or row is None:
            self._fill()
        else:
            self.table.setItem(row, 2, self._offer_item(offer.seller))  # the one cell that changed
        self.chart.add_offer(offer)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._stale:
            self._fill()
        super().showEvent(event)

    def _out_of_sight(self) -> bool:
        return not self.isVisible() and self.window().isVisible()

    def standing(self) -> dict[str, Offer]:
        return dict(self._standing)

    def set_operator_view(self, on: bool) -> None:
        self.operator_view = on
        self._fill()
        self.chart.set_operator_view(on)

    def _offer_item(self, seller: str) -> QTableWidgetItem:
        """The seller's standing offer cell, with a warning when its latest offer broke a rule."""
        latest = next((o for o in reversed(self._history) if o.seller == seller), None)
        standing = self._standing.get(seller)
        offer_text, tip = "—", "no offer yet"
        if standing is not None:
            offer_text = f"{money(standing.price_per_unit)} × {standing.quantity}  (r{standing.round})"
            tip = f"binding offer made in round {standing.round}"
        if latest is not None and not latest.binding:
            offer_text += "  ⚠"
            tip += f"; latest offer {money(latest.price_per_unit)} in round {latest.round} broke a rule (not binding)"
        item = QTableWidgetItem(offer_text)
        item.setToolTip(tip)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item

    def _fill(self) -> None:
        self._stale = False
        self.table.setColumnHidden(FLOOR_COLUMN, not self.operator_view)
        for row, seller in enumerate(self.plan.sellers):
            cells = [seller.name, money(seller.stock.selling_price), "", money(seller.stock.least_price)]
            for column, text in enumerate(cells):
                if column == 2:
                    self.table.setItem(row, column, self._offer_item(seller.name))
                    continue
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == 0:
                    # The seller's own colour as a swatch (the chart's line colour); the name in a legible shade of it.
                    item.setData(Qt.ItemDataRole.DecorationRole, self.colors[seller.name])
                    item.setForeground(QBrush(theme.legible(self.colors[seller.name], self.palette())))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                elif column != 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        rows_height = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        header = max(self.table.horizontalHeader().height(), self.table.horizontalHeader().sizeHint().height())
        full = rows_height + header + 2 * self.table.frameWidth() + 1  # the last row whole
        # All rows when there is room; at least four (then it scrolls), so ten sellers fit a 700 px window.
        shortest = header + sum(self.table.rowHeight(r) for r in range(min(4, self.table.rowCount())))
        self.table.setMaximumHeight(full)
        self.table.setMinimumHeight(min(full, shortest + 2 * self.table.frameWidth() + 1))
        wanted = self.plan.item
        text = f"Buyer needs {wanted.quantity}"
        if self.operator_view:
            text += f" · hopes for {money(wanted.min_price)} · max {money(wanted.max_price)} per unit (private)"
        self.buyer_label.setText(text)
        # A wrapped label's minimum size assumes one line: reserve the second one the operator text needs at
        # the panel's narrowest, or the chart below would be pushed out of the panel.
        lines = 2 if self.operator_view else 1
        self.buyer_label.setMinimumHeight(self.buyer_label.fontMetrics().lineSpacing() * lines + 2)
        self.buyer_label.setToolTip("The buyer's max and the sellers' floors are hidden from the other agents"
                                    if self.operator_view else "")
