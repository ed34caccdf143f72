"""Unexpected errors: logged with their traceback to a file, shown to the person as a short dialog."""
from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QMessageLogContext, QObject, Qt, QtMsgType, QTimer, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget,
)

from ..logs import configure_file_logging

log = logging.getLogger("negotiator")
qt_log = logging.getLogger("qt")
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO, QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR, QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def configure_logging(log_dir: Path) -> Path:
    """The log file (with native crash reports) plus Qt's own messages, which otherwise go to a console that a
    windowed build does not have."""
    path = configure_file_logging(log_dir)
    install_qt_message_handler()
    return path


def install_qt_message_handler() -> None:
    """Route qDebug/qWarning/... into Python logging (logger "qt"). A handler installed before ours (a test
    harness capturing Qt messages) still gets every message."""
    global _previous_qt_handler
    if _qt_handler_installed():
        return
    _previous_qt_handler = qInstallMessageHandler(_qt_message)


def _qt_handler_installed() -> bool:
    current = qInstallMessageHandler(None)  # Qt has no getter: swap out and back
    qInstallMessageHandler(current)
    return current is _qt_message


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.file}:{context.line})" if context.file else ""
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)
    if _previous_qt_handler is not None:
        _previous_qt_handler(kind, context, message)


_previous_qt_handler = None


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
        self._previous_hook: Callable[[type[BaseException], BaseException, TracebackType | None], Any] | None = None

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
