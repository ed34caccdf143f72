"""Ask before edits are lost: a non-blocking question (open(), never exec(): the qasync loop keeps running)."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget


def ask_before_discarding(parent: QWidget, title: str, text: str, discard_label: str,
                          on_discard: Callable[[], object]) -> QMessageBox:
    """Shows the question and returns at once; `on_discard` runs only if the user picks `discard_label`."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    discard: QPushButton = box.addButton(discard_label, QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: on_discard() if button is discard else None)
    box.open()
    return box
