"""What a person would see: a widget is shown, has a size, and lies inside its window (not clipped off)."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget


def assert_on_screen(widget: QWidget, window: QWidget | None = None) -> None:
    """Fails unless `widget` is visible, not collapsed, and wholly inside `window` (default: its own window)."""
    window = window or widget.window()
    name = widget.objectName() or type(widget).__name__
    assert widget.isVisible(), f"{name} is hidden"
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    assert rect.width() > 0 and rect.height() > 0, f"{name} has no size: {rect}"
    assert window.rect().contains(rect), f"{name} at {rect} is outside its window {window.rect()}"
