"""The chat transcript: one framed bubble per message in a QTextDocument, text streamed in place."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextCursor, QTextFrame
from PySide6.QtWidgets import QWidget

from ...domain import Message, Offer, Violation
from ..theme import SpeakerColors
from .bubble import Bubble, violation_line
from .transcript_history import StoredHistoryView
from .transcript_items import LINE_SEPARATOR, Note
from .transcript_window import FILL_SLICE, TRIM_AT, WINDOW

__all__ = ["FILL_SLICE", "LINE_SEPARATOR", "TRIM_AT", "WINDOW", "TranscriptView"]


class TranscriptView(StoredHistoryView):
    """Streaming inserts at the end of the message's own block, never re-rendering the document; the
    view follows new text only while the reader is at the bottom. Every item (bubble or note) is a frame
    rendered from its state, so it can leave the document and come back.

    While the view is hidden in a shown window (a background tab) the document is not touched: changes
    go to the items' state only and are laid out, in one edit, when the view is shown again."""

    def __init__(self, colors_of: Callable[[str], SpeakerColors], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colors_of = colors_of
        self.setOpenLinks(False)
        self.setUndoRedoEnabled(False)  # an undo stack of every token would only cost memory
        self.document().setUndoRedoEnabled(False)
        self.anchorClicked.connect(self._on_anchor)
        self.follow = True
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range)
        self.sellers: list[str] = []
        self._show_later = False  # see show_later()
        self.clear_all()

    # ----- content -------------------------------------------------------------------------------

    def clear_all(self) -> None:
        self.settle()
        if not self.document().isEmpty():
            self.document().clear()
        self._bubbles: dict[int, Bubble] = {}
        self._notes: dict[int, Note] = {}
        self._frames: dict[int, QTextFrame] = {}  # the items now in the document
        self._by_seq: dict[int, int] = {}
        self._order: list[int] = []  # every item's key, oldest first
        self._hidden = 0  # how many of the oldest items are not in the document
        self._unread = 0  # how many stored messages, older still, were never read (see earlier_wanted)
        self._reading = False  # earlier_wanted was emitted and its answer is pending
        self._pending_violations: list[Violation] = []  # tied to messages not read yet
        self._filling = 0  # how many of the hidden items are still to be laid out by the fill (see add_history)
        self._fill_run = getattr(self, "_fill_run", 0) + 1  # a fill of an earlier content stops
        self._stale: set[int] = set()  # rendered items changed while the view was hidden
        self._unrendered: list[int] = []  # items added while the view was hidden, oldest first
        self._next_key = 1
        self.follow = True

    def oldest_seq(self) -> int | None:
        """The sequence number of the oldest message the transcript holds (where reading back continues)."""
        for key in self._order:
            bubble = self._bubbles.get(key)
            if bubble is not None and bubble.message is not None:
                return bubble.message.seq
        return None

    def rendered_count(self) -> int:
        return len(self._frames)

    def begin_message(self, sender: str, role: str, round_: int, recipients: list[str]) -> int:
        key = self._new_bubble(sender, role, round_, recipients)
        self._append_item(key)
        return key

    def _new_bubble(self, sender: str, role: str, round_: int, recipients: list[str], colors=None) -> int:
        key, self._next_key = self._next_key, self._next_key + 1
        self._bubbles[key] = Bubble(key, sender, role, round_, list(recipients), colors or self._colors_of(sender),
                                    self.sellers)
        self._order.append(key)
        return key

    def _append_item(self, key: int) -> None:
        if self._out_of_sight():
            self._unrendered.append(key)
            return
        self.catch_up()
        self._batch()  # one layout pass for the frame, its header and body
        self._render_item(key, self._end_cursor())
        self._trim()

    def append_text(self, key: int, text: str) -> None:
        bubble = self._bubbles.get(key)
        if bubble is None or not text:
            return
        first = not bubble.has_text
        bubble.has_text = True
        bubble.text += text
        if key not in self._frames or not self._changed(key):
            return
        self._batch()
        cursor = self._body_end(key)
        cursor.insertText(text.replace("\n", LINE_SEPARATOR), self._body_format())
        if first and bubble.reasoning:
            self._render_header(key)  # "thinking…" becomes "typing…"

    def append_reasoning(self, key: int, text: str) -> None:
        bubble = self._bubbles.get(key)
        if bubble is None:
            return
        first = not bubble.reasoning
        bubble.reasoning += text
        if first and key in self._frames and self._changed(key):
            self._render_header(key)
            self._render_extras(key)

    def complete(self, key: int, message: Message) -> None:
        bubble = self._bubbles.get(key)
        if bubble is None:
            return
        bubble.message, bubble.round, bubble.recipients = message, message.round, list(message.recipients)
        bubble.reasoning = message.reasoning or bubble.reasoning
        self._by_seq[message.seq] = key
        changed = bubble.text != message.text
        bubble.text, bubble.has_text = message.text, True
        if key not in self._frames or not self._changed(key):
            return
        self._batch()
        if changed:
            # Once per message: the parsed message can differ from what streamed (e.g. trimmed).
            cursor = self._body_end(key)
            cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(message.text.replace("\n", LINE_SEPARATOR), self._body_format())
        self._render_header(key)
        self._render_extras(key)

    def add_message(self, message: Message) -> int:
        """A message that is already complete (typed by the person, or from a stored run)."""
        key = self._new_bubble(message.sender, message.role.value, message.round, message.recipients)
        self.complete(key, message)
        self._append_item(key)
        return key

    def discard(self, key: int, reason: str) -> None:
        """An unreadable or failed reply: struck out with the reason, or removed if it had no text."""
        bubble = self._bubbles.get(key)
        if bubble is None:
            return
        if not bubble.text:
            self._remove(key)  # nothing was said: an empty struck-out bubble would only be noise
            return
        bubble.discarded = reason
        if key in self._frames and self._changed(key):
            self._strike_body(key)
            self._render_header(key)
            self._render_extras(key)

    def _remove(self, key: int) -> None:
        frame = self._frames.pop(key, None)
        self._bubbles.pop(key, None)
        self._notes.pop(key, None)
        index = self._order.index(key)
        del self._order[index]
        self._stale.discard(key)
        if key in self._unrendered:
            self._unrendered.remove(key)
            return
        if frame is None:
            self._hidden -= 1
            self._render_top()
            return
        self._cut(frame)

    def attach_offer(self, offer: Offer) -> None:
        key = self._by_seq.get(offer.message_seq)
        if key is not None:
            self._bubbles[key].offer = offer
            if key in self._frames and self._changed(key):
                self._render_extras(key)

    def attach_violation(self, violation: Violation) -> None:
        key = self._by_seq.get(violation.message_seq) if violation.message_seq is not None else None
        if key is None:
            self.add_note(violation_line(violation), "violation")
            return
        self._bubbles[key].violations.append(violation)
        if key in self._frames and self._changed(key):
            self._render_extras(key)

    def attach_disclosure(self, message_seq: int, line: str) -> None:
        key = self._by_seq.get(message_seq)
        if key is not None:
            self._bubbles[key].disclosures.append(line)
            if key in self._frames and self._changed(key):
                self._render_extras(key)

    def add_note(self, text: str, kind: str = "info") -> None:
        """A small centred system line between bubbles: 'info', 'error' or 'violation'."""
        key, self._next_key = self._next_key, self._next_key + 1
        self._notes[key] = Note(key, text, kind)
        self._order.append(key)
        self._append_item(key)

    def bubble(self, key: int) -> Bubble | None:
        return self._bubbles.get(key)

    def bubbles(self) -> list[Bubble]:
        """Every bubble of the transcript, also those scrolled out of the document."""
        return list(self._bubbles.values())

    def header_text(self, key: int) -> str:
        if key in self._frames and key not in self._stale:
            return self._header_block(key).text()
        bubble = self._bubbles[key]
        return f"{bubble.sender}   {bubble.header_suffix()}"

    def body_text(self, key: int) -> str:
        return self._bubbles[key].text

    def shown_body(self, key: int) -> str | None:
        """The message text as laid out in the document (None while the item waits or is scrolled out)."""
        if key not in self._frames or key in self._stale:
            return None
        return self._body_end(key).block().text().replace(LINE_SEPARATOR, "\n")

    def _on_anchor(self, url: QUrl) -> None:
        kind, _, key = url.toString().partition(":")
        if kind == "earlier":
            self.show_earlier()
        elif kind == "reasoning" and key.isdigit() and int(key) in self._frames:
            bubble = self._bubbles[int(key)]
            bubble.expanded = not bubble.expanded
            self._render_extras(bubble.key)

