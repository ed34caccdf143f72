"""The list of stored experiments (name, arms, runs done of total, state), read from the store off the GUI thread."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ...storage import Store
from ...storage import experiments as rows


@dataclass(frozen=True, slots=True)
class ListedExperiment:
    id: int
    name: str
    arms: int
    done: int
    total: int


def read_experiments(store: Store) -> list[ListedExperiment]:
    """Blocking (SQLite): call it in a worker thread."""
    listed = []
    for summary in rows.list_experiments(store):
        arms = len(rows.load_experiment(store, summary.id).arms)
        listed.append(ListedExperiment(summary.id, summary.name, arms, summary.done, summary.total))
    return listed


def state_text(e: ListedExperiment, running: bool) -> str:
    if running:
        return "running"
    if e.done >= e.total:
        return "finished"
    return "not started" if e.done == 0 else "stopped"


class ExperimentList(QTableWidget):
    """One row per experiment, newest first; `selected` tells the chosen experiment's id."""

    selected = Signal(int)
    HEADERS = ("Experiment", "Arms", "Runs done", "State")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.experiments: list[ListedExperiment] = []
        self.itemSelectionChanged.connect(self._selection_changed)

    def show_experiments(self, experiments: list[ListedExperiment], running_id: int | None,
                         select: int | None = None) -> None:
        keep = select if select is not None else self.current_id()
        self.blockSignals(True)
        self.experiments = experiments
        self.setRowCount(len(experiments))
        for row, e in enumerate(experiments):
            cells = (e.name, str(e.arms), f"{e.done}/{e.total}", state_text(e, e.id == running_id))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, column, item)
        self.blockSignals(False)
        ids = [e.id for e in experiments]
        if keep in ids:
            self.selectRow(ids.index(keep))
        elif experiments:
            self.selectRow(0)

    def current_id(self) -> int | None:
        row = self.currentRow()
        return self.experiments[row].id if 0 <= row < len(self.experiments) else None

    def current(self) -> ListedExperiment | None:
        row = self.currentRow()
        return self.experiments[row] if 0 <= row < len(self.experiments) else None

    def row_texts(self, row: int) -> list[str]:
        return [item.text() if (item := self.item(row, c)) is not None else "" for c in range(self.columnCount())]

    def _selection_changed(self) -> None:
        current = self.current_id()
        if current is not None:
            self.selected.emit(current)
