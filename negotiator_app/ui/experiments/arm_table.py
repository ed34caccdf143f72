"""The per-arm table of an experiment report: runs, deal rate, prices and rule-keeping, with 95 % intervals."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ...experiments.report import ArmReport, ExperimentReport, Interval


def interval_text(e: Interval | None, digits: int = 2, percent: bool = False) -> str:
    """`value [low, high]`, or `n/a` when there is nothing to estimate from."""
    if e is None or e.value is None:
        return "n/a"
    k = 100 if percent else 1
    unit = "%" if percent else ""
    text = f"{e.value * k:,.{digits}f}{unit}"
    if e.low is None or e.high is None:
        return text
    return f"{text} [{e.low * k:,.{digits}f}, {e.high * k:,.{digits}f}]"


def _number(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


COLUMNS: list[tuple[str, Callable[[ArmReport], str]]] = [
    ("Arm", lambda a: a.arm),
    ("Buyer", lambda a: a.buyer),
    ("Sellers", lambda a: a.sellers),
    ("Runs", lambda a: str(a.runs)),
    ("Deal rate", lambda a: interval_text(a.deal_rate, 0, percent=True)),
    ("Mean price", lambda a: interval_text(a.mean_price)),
    ("Median price", lambda a: _number(a.median_price)),
    ("Deal position", lambda a: interval_text(a.deal_position)),
    ("Buyer share", lambda a: interval_text(a.buyer_surplus_share)),
    ("Rounds to close", lambda a: interval_text(a.rounds_to_close, 1)),
    ("Violations /100", lambda a: interval_text(a.violations_per_100_seller_messages, 1)),
    ("Unusable /100", lambda a: interval_text(a.unusable_per_100_requests, 1)),
    ("Tokens/s", lambda a: _number(a.tokens_per_s, 1)),
]


HEADER_TIPS = {
    "Deal position": "Where the deal landed: 0 = at the lowest floor in the room, 1 = at the buyer's max",
    "Buyer share": "The buyer's share of the surplus: (max − price) / (max − the winning seller's floor)",
    "Violations /100": "Rule violations per 100 seller messages",
    "Unusable /100": "Unusable model replies per 100 requests",
}


class ArmTable(QTableWidget):
    """One row per arm; read-only, rebuilt from each new report. Double-click (or Enter on) a row to read its runs."""

    arm_chosen = Signal(str)  # the arm's name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.arms: list[str] = []  # the arm of each row
        self.setHorizontalHeaderLabels([name for name, _ in COLUMNS])
        for column, name in enumerate(name for name, _ in COLUMNS):
            header_item = self.horizontalHeaderItem(column)
            if header_item is not None and name in HEADER_TIPS:
                header_item.setToolTip(HEADER_TIPS[name])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.activated.connect(lambda index: self.arm_chosen.emit(self.arms[index.row()]))
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setToolTip("95 % intervals in brackets: Wilson for the deal rate, bootstrap for the others.\n"
                        "Double-click an arm to read its runs' transcripts.")

    def show_report(self, report: ExperimentReport | None) -> None:
        arms = report.arms if report is not None else []
        self.arms = [arm.arm for arm in arms]
        self.setRowCount(len(arms))
        for row, arm in enumerate(arms):
            for column, (_, cell) in enumerate(COLUMNS):
                item = QTableWidgetItem(cell(arm))
                if column >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, column, item)
        # As tall as its rows (and no taller), so the charts below get the rest of the page.
        rows_height = sum(self.rowHeight(r) for r in range(self.rowCount())) or self.verticalHeader().defaultSectionSize()
        self.setMaximumHeight(self.horizontalHeader().height() + rows_height + 2 * self.frameWidth()
                              + self.horizontalScrollBar().sizeHint().height() + 4)

    def cell_text(self, row: int, header: str) -> str:
        """What the table shows for one arm under one column (the tests read the screen through this)."""
        column = [name for name, _ in COLUMNS].index(header)
        item = self.item(row, column)
        return item.text() if item is not None else ""
