"""Which fields the user has edited: a field shows its problem only once touched (or once Create is pressed)."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

TOUCHED = "touched"


def mark_touched(*widgets: QWidget) -> None:
    for widget in widgets:
        try:
            widget.setProperty(TOUCHED, True)
        except RuntimeError:  # removed since (a deleted row or seller)
            pass


def is_touched(widget: QWidget) -> bool:
    try:
        return bool(widget.property(TOUCHED))
    except RuntimeError:
        return False


def watch_edits(widget: QWidget, *also: QWidget) -> None:
    """Mark `widget` (and `also`, e.g. the table holding a cell) touched on the user's own edits only:
    textEdited and activated fire for typing and picking, never for setText() when a file is loaded."""
    if isinstance(widget, QLineEdit):
        widget.textEdited.connect(lambda _text: mark_touched(widget, *also))
    elif isinstance(widget, QComboBox):
        widget.activated.connect(lambda _index: mark_touched(widget, *also))
        line_edit = widget.lineEdit()
        if widget.isEditable() and line_edit is not None:
            line_edit.textEdited.connect(lambda _text: mark_touched(widget, *also))


def clear_touched(*widgets: QWidget) -> None:
    for widget in widgets:
        widget.setProperty(TOUCHED, False)
