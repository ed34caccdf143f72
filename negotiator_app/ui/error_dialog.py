"""Unexpected errors: logged with their traceback to a file, shown to the person as a short dialog."""
from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget,
)

log = logging.getLogger("negotiator")
LOG_FILE_NAME = "negotiator.log"


def configure_logging(log_dir: Path) -> Path:
    """Log to a rotating file in the user log directory; to stderr only when there is one (windowed builds)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path for h in root.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    if sys.stderr is not None and not any(type(h) is logging.StreamHandler for h in root.handlers):
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.WARNING)
        root.addHandler(console)
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    return path


class ErrorDialog(QDialog):
    """A plain-words message; the traceback is behind "Show details" and one click away from the clipboard."""

    def __init__(self, title: str, message: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details = details
        layout = QVBoxLayout(self)
        self.message_label = QLabel(message)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message_label)
        self.details_view = QPlainTextEdit(details)
        self.details_view.setReadOnly(True)
        self.details_view.setVisible(False)
        layout.addWidget(self.details_view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.toggle_button = QPushButton("Show details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.toggle_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_details)
        self.toggle_button.clicked.connect(self._toggle_details)
        layout.addWidget(buttons)
        self.resize(520, 180)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copy_button.setText("Copied")

    def _toggle_details(self) -> None:
        shown = not self.details_view.isVisible()
        self.details_view.setVisible(shown)
        self.toggle_button.setText("Hide details" if shown else "Show details")
        self.resize(self.width(), 420 if shown else 180)


class ErrorReporter(QObject):
    """Catches what nobody else caught (sys.excepthook, the asyncio loop) and reports it without crashing."""

    def __init__(self, log_file: Path | None, parent_widget: QWidget | None = None) -> None:
        super().__init__()
        self.log_file = log_file
        self.parent_widget = parent_widget
        self.dialogs: list[ErrorDialog] = []
        self._previous_hook = None

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._previous_hook = sys.excepthook
        sys.excepthook = self.excepthook
        if loop is not None:
            loop.set_exception_handler(self.loop_exception_handler)

    def uninstall(self) -> None:
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
            self._previous_hook = None

    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QTimer.singleShot(0, lambda: self.parent_widget and self.parent_widget.close())
            return
        self.report(exc, "".join(traceback.format_exception(exc_type, exc, tb)))

    def loop_exception_handler(self, loop: asyncio.AbstractEventLoop, context: dict) -> None:
        exc = context.get("exception")
        if exc is None:
            log.warning("event loop: %s", context.get("message"))
            return
        details = context.get("message", "") + "\n" + "".join(traceback.format_exception(exc))
        self.report(exc, details)

    def report(self, exc: BaseException, details: str) -> ErrorDialog:
        log.error("unexpected error: %s\n%s", exc, details)
        where = f" The details were saved to {self.log_file}." if self.log_file else ""
        text = (f"Something unexpected went wrong: {_short(exc)}.{where}\n\n"
                "Your sessions and transcripts are stored; you can keep working.")
        return self.show_dialog("Unexpected error", text, details)

    def show_dialog(self, title: str, message: str, details: str = "") -> ErrorDialog:
        dialog = ErrorDialog(title, message, details, self.parent_widget)
        dialog.copy_button.setVisible(bool(details))
        dialog.toggle_button.setVisible(bool(details))
        self.dialogs = [d for d in self.dialogs if _alive(d)] + [dialog]
        dialog.finished.connect(lambda _=0, d=dialog: self.dialogs.remove(d) if d in self.dialogs else None)
        dialog.open()  # never exec(): this may run inside a coroutine on the qasync loop
        return dialog


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _alive(widget: QWidget) -> bool:
    try:
        widget.objectName()
        return True
    except RuntimeError:
        return False
