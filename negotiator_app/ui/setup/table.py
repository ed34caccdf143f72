"""An editable table of text fields (one QLineEdit per cell) with add and per-row remove buttons."""
from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLineEdit, QPushButton, QTableWidget, QToolButton,
    QVBoxLayout, QWidget,
)

from ..icons import icon
from .touched import mark_touched, watch_edits


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    placeholder: str = ""
    numeric: bool = False


class EditableTable(QWidget):
    """Rows of text cells. Cells are real QLineEdits so typing, focus and highlighting behave like a form."""

    changed = Signal()

    def __init__(self, columns: list[Column], add_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.table = QTableWidget(0, len(columns) + 1)
        self.table.setHorizontalHeaderLabels([c.header for c in columns] + [""])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setTabKeyNavigation(False)  # Tab leaves a cell for the next field, not the view's next item
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in range(1, len(columns)):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(i, 92)
        header.setSectionResizeMode(len(columns), QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(len(columns), 32)
        self.table.setMinimumHeight(120)
        self.add_button = QPushButton(icon("add"), add_label)
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def row_count(self) -> int:
        return self.table.rowCount()

    # The table holds a QLineEdit in each column and a remove button after them (add_row puts them there).
    def editor(self, row: int, key: str) -> QLineEdit:
        col = next(i for i, c in enumerate(self.columns) if c.key == key)
        return cast(QLineEdit, self.table.cellWidget(row, col))

    def row_editors(self, row: int) -> list[QLineEdit]:
        return [cast(QLineEdit, self.table.cellWidget(row, i)) for i in range(len(self.columns))]

    def remove_button(self, row: int) -> QToolButton:
        return cast(QToolButton, self.table.cellWidget(row, len(self.columns)))

    def add_row(self, values: dict[str, object] | None = None, focus: bool = False) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, column in enumerate(self.columns):
            edit = QLineEdit()
            edit.setPlaceholderText(column.placeholder)
            edit.setFrame(False)
            if column.numeric:
                edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value = (values or {}).get(column.key)
            if value is not None:
                edit.setText(_text(value))
            edit.setAccessibleName(column.header)
            watch_edits(edit, self.table)
            edit.textChanged.connect(self.changed)
            edit.installEventFilter(self)
            self.table.setCellWidget(row, col, edit)
        remove = QToolButton()
        remove.setIcon(icon("remove"))
        remove.setToolTip("Remove this row")
        remove.setAutoRaise(True)
        remove.clicked.connect(lambda: self._remove_row_of(remove))
        self.table.setCellWidget(row, len(self.columns), remove)
        if focus:
            self.row_editors(row)[0].setFocus()
        self.changed.emit()
        return row

    def focus_chain(self) -> list[QWidget]:
        """Cells row by row (each row's remove button last), then the add button: the Tab order."""
        chain: list[QWidget] = []
        for row in range(self.row_count()):
            chain += [*self.row_editors(row), self.remove_button(row)]
        return [*chain, self.add_button]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:  # keep the cell Tab reached in view inside the table
            for row in range(self.row_count()):
                if watched in self.row_editors(row):
                    self.table.scrollTo(self.table.model().index(row, self.row_editors(row).index(watched)))
        return False

    def _remove_row_of(self, button: QToolButton) -> None:
        for row in range(self.table.rowCount()):
            if self.table.cellWidget(row, len(self.columns)) is button:
                mark_touched(self.table)  # an emptied list is the user's doing: say so
                self.remove_row(row)
                return

    def remove_row(self, row: int) -> None:
        self.table.removeRow(row)
        self.changed.emit()

    def set_rows(self, rows: list[dict[str, object]]) -> None:
        blocked = self.blockSignals(True)
        self.table.setRowCount(0)
        for values in rows:
            self.add_row(values)
        self.blockSignals(blocked)
        self.changed.emit()

    def rows(self) -> list[dict[str, str]]:
        return [{c.key: self.editor(r, c.key).text() for c in self.columns} for r in range(self.row_count())]


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
