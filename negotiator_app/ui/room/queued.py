"""Buyer messages typed during an AI turn: shown at once as queued bubbles, each with a button to take it back."""
from __future__ import annotations

from itertools import count

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from .. import theme

QUEUED_TEXT = "Queued — sent when the current turn ends"


class QueuedBubble(QFrame):
    def __init__(self, entry_id: int, sender: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry_id, self.text = entry_id, text
        self.setObjectName("queuedBubble")
        colors = theme.buyer_colors(self.palette())
        # Dashed: not part of the conversation yet.
        self.setStyleSheet(f"#queuedBubble {{ background: {colors.bubble.name()}; border: 1px dashed "
                           f"{colors.accent.name()}; border-radius: 6px; }}")
        self.header = QLabel(f"<b style='color:{colors.text.name()}'>{_esc(sender)}</b>  "
                             f"<i style='color:{theme.note_color(self.palette()).name()}'>{QUEUED_TEXT}</i>",
                             self)
        self.body = QLabel(text, self)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.take_back = QToolButton(self)
        self.take_back.setText("✕ Take back")
        self.take_back.setToolTip("Do not send this message; its text goes back to the composer")
        self.take_back.setAutoRaise(True)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.take_back, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.body)


class QueuedMessages(QWidget):
    """Hidden while nothing is queued. Entries leave when sent (pop_sent) or taken back (withdraw_requested)."""

    withdraw_requested = Signal(int, str)  # entry id, text

    def __init__(self, sender: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sender_name = sender  # not `sender`: that would hide QObject.sender()
        self._ids = count(1)
        self._bubbles: dict[int, QueuedBubble] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 2, 0, 2)
        self.hide()

    def add(self, text: str) -> int:
        entry_id = next(self._ids)
        bubble = QueuedBubble(entry_id, self.sender_name, text, self)
        bubble.take_back.clicked.connect(lambda: self.withdraw_requested.emit(entry_id, text))
        self._bubbles[entry_id] = bubble
        self._layout.addWidget(bubble)
        self.show()
        return entry_id

    def texts(self) -> list[str]:
        return [b.text for b in self._bubbles.values()]

    def bubble(self, entry_id: int) -> QueuedBubble | None:
        return self._bubbles.get(entry_id)

    def bubbles(self) -> list[QueuedBubble]:
        return list(self._bubbles.values())

    def remove(self, entry_id: int) -> None:
        bubble = self._bubbles.pop(entry_id, None)
        if bubble is not None:
            self._layout.removeWidget(bubble)
            bubble.hide()
            bubble.deleteLater()
        self.setVisible(bool(self._bubbles))

    def pop_sent(self, text: str) -> bool:
        """The engine sent a typed message: its queued entry (the oldest with that text) leaves."""
        entry_id = next((i for i, b in self._bubbles.items() if b.text == text), None)
        if entry_id is None:
            return False
        self.remove(entry_id)
        return True

    def take_all(self) -> list[str]:
        texts = self.texts()
        for entry_id in list(self._bubbles):
            self.remove(entry_id)
        return texts


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
