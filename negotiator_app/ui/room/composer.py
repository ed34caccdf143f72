"""The buyer-message composer: @seller completion, a character counter, Enter to send, inline refusals."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView, QCompleter, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget,
)

from ...domain import MAX_MESSAGE_CHARS
from .. import theme


_NEVER_SET = object()

class ComposerEdit(QPlainTextEdit):
    """Enter and Ctrl+Enter send, Shift+Enter breaks the line; typing '@' offers the room's sellers (Enter or
    Tab inserts the highlighted one); Tab otherwise moves the focus on."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names = QStringListModel([], self)
        self.completer = QCompleter(self.names, self)
        self.completer.setWidget(self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.activated.connect(self.insert_completion)
        self.setTabChangesFocus(True)  # Tab moves on to the Send button, as everywhere else in the window

    def set_names(self, names: list[str]) -> None:
        self.names.setStringList(names)

    def mention_prefix(self) -> str | None:
        """The text typed after the '@' being completed, or None when the cursor is not in a mention."""
        cursor = self.textCursor()
        before = self.toPlainText()[: cursor.position()]
        at = before.rfind("@")
        if at < 0 or (at > 0 and (before[at - 1].isalnum() or before[at - 1] == "_")):
            return None
        prefix = before[at + 1:]
        # Seller names may contain spaces, but two words without a matching name end the mention.
        if "\n" in prefix or len(prefix) > 50:
            return None
        return prefix

    def insert_completion(self, name: str) -> None:
        prefix = self.mention_prefix() or ""
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(prefix))
        cursor.insertText(name + " ")
        self.setTextCursor(cursor)

    def _popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None  # QCompleter makes its list view itself when none was set
        return popup

    def event(self, event: QEvent) -> bool:
        # Tab changes focus before keyPressEvent is reached, so the popup's keys are taken here first.
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress and self._popup().isVisible():
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
                self.complete_highlighted()
                event.accept()
                return True
        return super().event(event)

    def complete_highlighted(self) -> None:
        """Insert the name highlighted in the popup (the first match when none is)."""
        popup = self._popup()
        index = popup.currentIndex()
        if not index.isValid():
            index = self.completer.completionModel().index(0, 0)
        popup.hide()
        if index.isValid():
            self.insert_completion(index.data())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        popup = self._popup()
        if popup.isVisible() and event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Up, Qt.Key.Key_Down):
            event.ignore()  # the completer's popup handles these
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.textCursor().insertText("\n")
            else:
                self.submitted.emit()
            return
        super().keyPressEvent(event)
        self._update_completion()

    def _update_completion(self) -> None:
        prefix = self.mention_prefix()
        if prefix is None or not any(n.lower().startswith(prefix.lower()) for n in self.names.stringList()):
            self._popup().hide()
            return
        self.completer.setCompletionPrefix(prefix)
        rect = self.cursorRect()
        rect.setWidth(self._popup().sizeHintForColumn(0) + 24)
        self.completer.complete(rect)
        # Highlight the first match, so Enter or Tab inserts what the person sees selected.
        self._popup().setCurrentIndex(self.completer.completionModel().index(0, 0))


class Composer(QWidget):
    send_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._blocked_reason: object = _NEVER_SET  # set_blocked's last reason (None: enabled)
        self.edit = ComposerEdit(self)
        self.edit.setPlaceholderText("Type a buyer message… @Name addresses one seller; Enter sends, Shift+Enter new line")
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 3 + 14)
        self.counter = QLabel(f"0/{MAX_MESSAGE_CHARS}", self)
        self.send_button = QPushButton("Send", self)
        self.send_button.setToolTip("Send as the buyer (Enter or Ctrl+Enter)")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.violation_color(self.palette()).name()};")
        self.error.hide()
        side = QVBoxLayout()
        side.addWidget(self.send_button)
        side.addWidget(self.counter, 0, Qt.AlignmentFlag.AlignRight)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.edit.textChanged.connect(self._on_changed)
        self.edit.submitted.connect(self._submit)
        self.send_button.clicked.connect(self._submit)

    def set_sellers(self, names: list[str]) -> None:
        self.edit.set_names(names)

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)
        self.edit.moveCursor(QTextCursor.MoveOperation.End)

    def set_blocked(self, reason: str | None) -> None:
        """Disable with `reason` as the tooltip, or enable (None)."""
        if reason == self._blocked_reason:
            return  # called on every event of the room: nothing to change
        self._blocked_reason = reason
        blocked = reason is not None
        self.edit.setEnabled(not blocked)
        self.send_button.setEnabled(not blocked)
        tip = reason or "Send as the buyer (Enter or Ctrl+Enter)"
        self.edit.setToolTip(reason or "")
        self.send_button.setToolTip(tip)
        self.setToolTip(reason or "")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def accepted(self) -> None:
        self.edit.clear()
        self.error.hide()

    def _on_changed(self) -> None:
        count = len(self.text())
        self.counter.setText(f"{count}/{MAX_MESSAGE_CHARS}")
        over = count > MAX_MESSAGE_CHARS
        self.counter.setStyleSheet(f"color: {theme.violation_color(self.palette()).name()};" if over else "")
        if not self.error.isHidden():
            self.error.hide()  # the refusal was about the text before this edit

    def _submit(self) -> None:
        if self.send_button.isEnabled():
            self.send_requested.emit(self.text())
