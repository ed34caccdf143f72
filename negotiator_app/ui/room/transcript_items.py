"""How one transcript item (a message's bubble or a note) is drawn into the document as a frame from its
state, and found again under the mouse; never the whole document."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import (
    QFont, QGradient, QHelpEvent, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat,
    QTextFrame, QTextFrameFormat, QTextLength,
)
from PySide6.QtWidgets import QToolTip

from .. import theme
from .bubble import Bubble, violation_line
from .live_document import LiveDocumentView

# PySide makes a Qt class's Python enums when the class is first used (a few ms for these, which a pane's
# document, brushes and frame formats use): made as this module loads, on the store's thread with the other
# session modules, rather than in the loop turn that builds the first room's pane.
_PREMADE_ENUMS = (QTextDocument.FindFlag, QGradient.Type, QTextLength.Type)
KEY_PROPERTY = QTextFormat.Property.UserProperty + 1
LINE_SEPARATOR = "\u2028"  # a line break inside a block: a message stays ONE block however many lines
SIDE_MARGIN = 56


@dataclass
class Note:
    """A small centred system line between bubbles: 'info', 'error' or 'violation'."""

    key: int
    text: str
    kind: str



class ItemDocumentView(LiveDocumentView):
    """Every item is a frame tagged with its key: rendered anew from its state, so it can leave the document
    and come back; the bubble under the mouse tells its details."""

    _bubbles: dict[int, Bubble]
    _notes: dict[int, Note]

    def _render_item(self, key: int, cursor: QTextCursor) -> QTextFrame:
        """Insert the item's frame at `cursor` (an empty block of the root frame) from its state."""
        if key in self._notes:
            return self._render_note(key, cursor)
        bubble = self._bubbles[key]
        fmt = QTextFrameFormat()
        fmt.setProperty(KEY_PROPERTY, key)
        fmt.setBackground(bubble.colors.bubble)
        fmt.setBorder(1.2 if bubble.role == "buyer" else 2.0)  # a seller's border shows its colour
        fmt.setBorderBrush(bubble.colors.accent)
        fmt.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
        fmt.setPadding(7)
        buyer = bubble.role == "buyer"
        fmt.setLeftMargin(SIDE_MARGIN if buyer else 4)
        fmt.setRightMargin(4 if buyer else SIDE_MARGIN)
        frame = cursor.insertFrame(fmt)
        self._frames[key] = frame
        cursor.insertBlock(QTextBlockFormat(), self._body_format())  # the body, below the header
        if bubble.text:
            cursor.insertText(bubble.text.replace("\n", LINE_SEPARATOR), self._body_format())
        if bubble.discarded is not None:
            self._strike_body(key)
        self._render_header(key)
        if bubble.offer is not None or bubble.violations or bubble.reasoning or bubble.discarded is not None:
            self._render_extras(key)
        return frame

    def _render_note(self, key: int, cursor: QTextCursor) -> QTextFrame:
        note = self._notes[key]
        fmt = QTextFrameFormat()
        fmt.setProperty(KEY_PROPERTY, key)
        frame = cursor.insertFrame(fmt)
        self._frames[key] = frame
        block = QTextBlockFormat()
        block.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        block.setTopMargin(2)
        block.setBottomMargin(2)
        cursor.setBlockFormat(block)
        text = self._small_format()
        if note.kind != "info":
            text.setForeground(theme.violation_color(self.palette()))
        cursor.insertText(note.text, text)
        return frame

    def _strike_body(self, key: int) -> None:
        self._batch()
        cursor = self._body_end(key)
        cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
        struck = QTextCharFormat()
        struck.setFontStrikeOut(True)
        struck.setForeground(theme.note_color(self.palette()))
        cursor.mergeCharFormat(struck)

    def _header_block(self, key: int):
        return self.document().findBlock(self._frames[key].firstPosition())

    def _body_end(self, key: int) -> QTextCursor:
        cursor = QTextCursor(self._header_block(key).next())
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        return cursor

    def _render_header(self, key: int) -> None:
        self._batch()
        bubble = self._bubbles[key]
        cursor = QTextCursor(self._header_block(key))
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        name = QTextCharFormat()
        name.setFontWeight(QFont.Weight.Bold)
        name.setForeground(bubble.colors.text)
        cursor.insertText(bubble.sender, name)
        suffix = self._small_format()
        if bubble.message is not None and bubble.message.interrupted:
            suffix.setForeground(theme.violation_color(self.palette()))
        cursor.insertText("   " + bubble.header_suffix(), suffix)

    def _render_extras(self, key: int) -> None:
        """Rewrite the lines under the body: offer, violations, reasoning toggle, discard reason."""
        self._batch()
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
            fmt = self._small_format(bubble.colors.text)
            fmt.setFontWeight(QFont.Weight.DemiBold)
            lines.append((offer, fmt))
        for violation in bubble.violations:
            fmt = self._small_format(theme.violation_color(palette))
            fmt.setFontWeight(QFont.Weight.DemiBold)
            lines.append((violation_line(violation), fmt))
        for line in bubble.disclosures:
            lines.append((line, self._small_format(theme.note_color(palette))))
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

    def key_at(self, pos) -> int | None:
        self.settle()
        frame = self.cursorForPosition(pos).currentFrame()
        while frame is not None:
            value = frame.frameFormat().property(KEY_PROPERTY)
            if isinstance(value, int) and value in self._bubbles:
                return value
            frame = frame.parentFrame()
        return None

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            key = self.key_at(event.pos())
            if key is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self._bubbles[key].tooltip(), self.viewport())
            return True
        return super().viewportEvent(event)

