"""The cross-play matrix: who played the buyer (rows) by who played the sellers (columns), pooled over arms."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ...experiments.report import CrossPlayCell, ExperimentReport, cross_play_axes
from .arm_table import interval_text

ROW_HEIGHT = 56
EXPLANATION = ("Every counted run, pooled by who played the buyer (rows) and who played the sellers (columns), "
               "whatever arm it came from. Each cell: deal rate with its 95 % Wilson interval, the mean deal "
               "position (0 = at the lowest floor, 1 = at the buyer's max) and the number of runs.")


def cell_lines(cell: CrossPlayCell | None) -> str:
    """What a cell shows: the deal rate with its interval, then the mean deal position and n."""
    if cell is None:
        return "no runs"
    position = "n/a" if cell.deal_position.value is None else f"{cell.deal_position.value:.2f}"
    return f"{interval_text(cell.deal_rate, 0, percent=True)}\nposition {position} · n = {cell.runs}"


def cell_tip(cell: CrossPlayCell) -> str:
    price = "n/a" if cell.mean_price is None else f"{cell.mean_price:,.2f}"
    return (f"Buyer: {cell.buyer}\nSellers: {cell.sellers}\n{cell.deals} deal(s) in {cell.runs} run(s)\n"
            f"Deal rate: {interval_text(cell.deal_rate, 1, percent=True)}\n"
            f"Deal position: {interval_text(cell.deal_position)}\nMean price per unit: {price}")


class CrossPlayView(QWidget):
    """The matrix as a read-only table; the shade of a cell grows with its deal rate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = QLabel(EXPLANATION)
        self.note.setWordWrap(True)
        self.empty = QLabel("No run has finished yet: the matrix fills in as runs finish.")
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        layout.addStretch(1)
        self.buyers: list[str] = []
        self.sellers: list[str] = []

    def show_report(self, report: ExperimentReport | None) -> None:
        cells = report.cross_play if report is not None else []
        self.buyers, self.sellers = cross_play_axes(cells)
        by_pair = {(c.buyer, c.sellers): c for c in cells}
        self.table.setRowCount(len(self.buyers))
        self.table.setColumnCount(len(self.sellers))
        self.table.setVerticalHeaderLabels([f"buyer: {b}" for b in self.buyers])
        self.table.setHorizontalHeaderLabels([f"sellers: {s}" for s in self.sellers])
        base = self.palette().color(QPalette.ColorRole.Base)
        for row, buyer in enumerate(self.buyers):
            for column, sellers in enumerate(self.sellers):
                cell = by_pair.get((buyer, sellers))
                item = QTableWidgetItem(cell_lines(cell))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if cell is not None:
                    item.setToolTip(cell_tip(cell))
                    item.setBackground(QBrush(_shade(base, cell.deal_rate.value)))
                self.table.setItem(row, column, item)
        self.empty.setVisible(not cells)
        self.table.setVisible(bool(cells))
        # As tall as its rows (scrolling beyond a screenful), so that a small matrix does not float in a big frame
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
                                  + ROW_HEIGHT * min(max(len(self.buyers), 1), 8) + 2)

    def cell_text(self, buyer: str, sellers: str) -> str:
        """What the matrix shows for one pairing (the tests read the screen through this)."""
        item = self.table.item(self.buyers.index(buyer), self.sellers.index(sellers))
        return item.text() if item is not None else ""


def _shade(base: QColor, rate: float | None) -> QColor:
    """The base colour blended towards green by the deal rate (light and dark themes alike)."""
    green = QColor.fromHsl(140, 140, 110)
    k = 0.45 * (rate or 0.0)
    return QColor.fromRgbF(base.redF() * (1 - k) + green.redF() * k, base.greenF() * (1 - k) + green.greenF() * k,
                           base.blueF() * (1 - k) + green.blueF() * k)
