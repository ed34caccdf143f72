"""Showing a folder to the person: the desktop's file manager, or, where none can be launched, its path."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget


def open_folder(folder: Path, parent: QWidget, what: str = "The folder") -> QMessageBox | None:
    """Open `folder` in the file manager; when that fails (no file manager, a headless desktop) say where it
    is in a box whose text can be selected and copied. Returns that box, or None when the folder opened."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return None
    box = QMessageBox(QMessageBox.Icon.Information, "Open folder",
                      f"No file manager could be opened here. {what} is:\n\n{folder}",
                      QMessageBox.StandardButton.Ok, parent)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box
