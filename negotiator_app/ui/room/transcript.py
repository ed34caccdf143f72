"""The chat transcript: one framed bubble per message in a QTextDocument, text streamed in place."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QUrl, Qt
from PySide6.QtGui import (
    QFont, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextFormat, QTextFrame, QTextFrameFormat,
)
from PySide6.QtWidgets import QTextBrowser, QToolTip, QWidget

from ...domain import Message, Offer, Violation
from .. import theme
from ..theme import SpeakerColors
from .bubble import Bubble, violation_line

KEY_PROPERTY = QTextFormat.Property.UserProperty + 1
LINE_SEPARATOR = "\u2028"  # a line break inside a block: a message stays ONE block however many lines
SIDE_MARGIN = 56
FOLLOW_SLACK_PX = 8


class TranscriptView(QTextBrowser):
    """Streaming inserts at the end of the message's own block, never re-rendering the document; the
    view follows new text only while the reader is at the bottom."""

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
        self.clear_all()

    # ----- content -------------------------------------------------------------------------------

    def clear_all(self) -> None:
        self.document().clear()
        self._bubbles: dict[int, Bubble] = {}
        self._frames: dict[int, QTextFrame] = {}
        self._by_seq: dict[int, int] = {}
        self._next_key = 1
        self.follow = True

    @contextmanager
    def edit_block(self) -> Iterator[None]:
        """Group many edits into one layout pass (a flush of several streams, or a stored run)."""
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        try:
            yield
        finally:
            cursor.endEditBlock()

    def begin_message(self, sender: str, role: str, round_: int, recipients: list[str]) -> int:
        key, self._next_key = self._next_key, self._next_key + 1
        bubble = Bubble(key, sender, role, round_, list(recipients), self._colors_of(sender), self.sellers)
        cursor = self._end_cursor()
        fmt = QTextFrameFormat()
        fmt.setProperty(KEY_PROPERTY, key)
        fmt.setBackground(bubble.colors.bubble)
        fmt.setBorder(1.2)
        fmt.setBorderBrush(bubble.colors.accent)
        fmt.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
        fmt.setPadding(7)
        buyer = role == "buyer"
        fmt.setLeftMargin(SIDE_MARGIN if buyer else 4)
        fmt.setRightMargin(4 if buyer else SIDE_MARGIN)
        frame = cursor.insertFrame(fmt)
        self._bubbles[key], self._frames[key] = bubble, frame
        cursor.insertBlock(QTextBlockFormat(), self._body_format())  # the body, below the header
        self._render_header(key)
        return key

    def append_text(self, key: int, text: str) -> None:
        bubble = self._bubbles.get(key)
        if bubble is None or not text:
            return
        first = not bubble.has_text
        bubble.has_text = True
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
        if first:
            self._render_header(key)
            self._render_extras(key)

    def complete(self, key: int, message: Message) -> None:
        bubble = self._bubbles.get(key)
        if bubble is None:
            return
        bubble.message, bubble.round, bubble.recipients = message, message.round, list(message.recipients)
        bubble.reasoning = message.reasoning or bubble.reasoning
        self._by_seq[message.seq] = key
        if self._body_text(key) != message.text.replace("\n", LINE_SEPARATOR):
            # Once per message: the parsed message can differ from what streamed (e.g. trimmed).
            cursor = self._body_end(key)
            cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(message.text.replace("\n", LINE_SEPARATOR), self._body_format())
        bubble.has_text = True
        self._render_header(key)
        self._render_extras(key)

    def add_message(self, message: Message) -> int:
        """A message that is already complete (typed by the person, or from a stored run)."""
        key = self.begin_message(message.sender, message.role.value, message.round, message.recipients)
        self.complete(key, message)
        return key

    def discard(self, key: int, reason: str) -> None:
        """An unreadable or failed reply: struck out with the reason, or removed if it had no text."""
        bubble = self._bubbles.get(key)
        if bubble is None:
            return
        if not self._body_text(key):
            self._remove(key)  # nothing was said: an empty struck-out bubble would only be noise
            return
        bubble.discarded = reason
        cursor = self._body_end(key)
        cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
        struck = QTextCharFormat()
        struck.setFontStrikeOut(True)
        struck.setForeground(theme.note_color(self.palette()))
        cursor.mergeCharFormat(struck)
        self._render_header(key)
        self._render_extras(key)

    def _remove(self, key: int) -> None:
        frame = self._frames.pop(key)
        del self._bubbles[key]
        cursor = QTextCursor(self.document())
        cursor.setPosition(frame.firstPosition() - 1)
        cursor.setPosition(frame.lastPosition() + 1, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()

    def attach_offer(self, offer: Offer) -> None:
        key = self._by_seq.get(offer.message_seq)
        if key is not None:
            self._bubbles[key].offer = offer
            self._render_extras(key)

    def attach_violation(self, violation: Violation) -> None:
        key = self._by_seq.get(violation.message_seq) if violation.message_seq is not None else None
        if key is None:
            self.add_note(violation_line(violation), "violation")
            return
        self._bubbles[key].violations.append(violation)
        self._render_extras(key)

    def add_note(self, text: str, kind: str = "info") -> None:
        """A small centred system line between bubbles: 'info', 'error' or 'violation'."""
        cursor = self._end_cursor()
        if cursor.block().length() > 1:
            cursor.insertBlock()
        block = QTextBlockFormat()
        block.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        block.setTopMargin(2)
        block.setBottomMargin(2)
        cursor.setBlockFormat(block)
        fmt = self._small_format()
        if kind != "info":
            fmt.setForeground(theme.violation_color(self.palette()))
        cursor.insertText(text, fmt)
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())  # the next bubble starts below

    def bubble(self, key: int) -> Bubble | None:
        return self._bubbles.get(key)

    def bubbles(self) -> list[Bubble]:
        return list(self._bubbles.values())

    def header_text(self, key: int) -> str:
        return self._header_block(key).text()

    def body_text(self, key: int) -> str:
        return self._body_text(key).replace(LINE_SEPARATOR, "\n")

    # ----- rendering one bubble (never the whole document) --------------------------------------

    def _header_block(self, key: int):
        return self.document().findBlock(self._frames[key].firstPosition())

    def _body_end(self, key: int) -> QTextCursor:
        cursor = QTextCursor(self._header_block(key).next())
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        return cursor

    def _body_text(self, key: int) -> str:
        return self._header_block(key).next().text()

    def _render_header(self, key: int) -> None:
        bubble = self._bubbles[key]
        cursor = QTextCursor(self._header_block(key))
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        name = QTextCharFormat()
        name.setFontWeight(QFont.Weight.Bold)
        name.setForeground(bubble.colors.accent)
        cursor.insertText(bubble.sender, name)
        suffix = self._small_format()
        if bubble.message is not None and bubble.message.interrupted:
            suffix.setForeground(theme.violation_color(self.palette()))
        cursor.insertText("   " + bubble.header_suffix(), suffix)

    def _render_extras(self, key: int) -> None:
        """Rewrite the lines under the body: offer, violations, reasoning toggle, discard reason."""
        bubble, frame = self._bubbles[key], self._frames[key]
        cursor = self._body_end(key)
        cursor.setPosition(frame.lastPosition(), QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        palette = self.palette()
        lines: list[tuple[str, QTextCharFormat]] = []
        if bubble.discarded is not None:
            lines.append((f"✕ discarded: {bubble.discarded}", self._small_format(theme.violation_color(palette))))
        offer = bubble.offer_line()
        if offer:
            fmt = self._small_format(bubble.colors.accent)
            fmt.setFontWeight(QFont.Weight.DemiBold)
            lines.append((offer, fmt))
        for violation in bubble.violations:
            fmt = self._small_format(theme.violation_color(palette))
            fmt.setFontWeight(QFont.Weight.DemiBold)
            lines.append((violation_line(violation), fmt))
        for text, fmt in lines:
            cursor.insertBlock(QTextBlockFormat(), fmt)
            cursor.insertText(text, fmt)
        if bubble.reasoning:
            link = self._small_format(theme.note_color(palette))
            link.setAnchor(True)
            link.setAnchorHref(f"reasoning:{key}")
            cursor.insertBlock(QTextBlockFormat(), link)
            arrow = "▾" if bubble.expanded else "▸"
            cursor.insertText(f"{arrow} reasoning (hidden from the other agents)", link)
            if bubble.expanded:
                body = self._small_format(theme.note_color(palette))
                body.setFontItalic(True)
                cursor.insertBlock(QTextBlockFormat(), body)
                cursor.insertText(bubble.reasoning.strip().replace("\n", LINE_SEPARATOR), body)

    def _on_anchor(self, url: QUrl) -> None:
        kind, _, key = url.toString().partition(":")
        if kind == "reasoning" and key.isdigit() and int(key) in self._bubbles:
            bubble = self._bubbles[int(key)]
            bubble.expanded = not bubble.expanded
            self._render_extras(bubble.key)

    def _end_cursor(self) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        return cursor

    def _body_format(self) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setForeground(self.palette().text())
        return fmt

    def _small_format(self, color=None) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setFontPointSize(max(7.0, self.font().pointSizeF() * 0.85))
        fmt.setForeground(color if color is not None else theme.note_color(self.palette()))
        return fmt

    # ----- hover details and auto-scroll ---------------------------------------------------------

    def key_at(self, pos) -> int | None:
        frame = self.cursorForPosition(pos).currentFrame()
        while frame is not None:
            value = frame.frameFormat().property(KEY_PROPERTY)
            if isinstance(value, int) and value in self._bubbles:
                return value
            frame = frame.parentFrame()
        return None

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            key = self.key_at(event.pos())
            if key is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self._bubbles[key].tooltip(), self.viewport())
            return True
        return super().viewportEvent(event)

    def _on_scrolled(self, value: int) -> None:
        self.follow = value >= self.verticalScrollBar().maximum() - FOLLOW_SLACK_PX

    def _on_range(self, _minimum: int, maximum: int) -> None:
        if self.follow:
            self.verticalScrollBar().setValue(maximum)
