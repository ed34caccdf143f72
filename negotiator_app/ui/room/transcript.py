"""The chat transcript: one framed bubble per message in a QTextDocument, text streamed in place."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QEvent, QTimer, QUrl, Qt, Signal
from PySide6.QtGui import (
    QFont, QHelpEvent, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextFormat, QTextFrame, QTextFrameFormat,
)
from PySide6.QtWidgets import QToolTip, QWidget

from ...domain import Message, Offer, Violation
from .. import theme
from ..theme import SpeakerColors
from .bubble import Bubble, violation_line
from .live_document import LiveDocumentView

KEY_PROPERTY = QTextFormat.Property.UserProperty + 1
LINE_SEPARATOR = "\u2028"  # a line break inside a block: a message stays ONE block however many lines
SIDE_MARGIN = 56
FOLLOW_SLACK_PX = 8
# Qt re-lays out a document edit in time that grows with the number of frames in it (every bubble is a
# frame), so the document holds a bounded window of the newest items: a stored run opens with its last
# WINDOW items, a live one drops its oldest beyond TRIM_AT while the reader follows the end, and older
# items come back WINDOW at a time when the reader scrolls to the top (or clicks the link there). A stored run
# may also arrive with only its newest messages read: the older ones are then asked for (earlier_wanted) and
# read from the store off the GUI thread, a page at a time.
WINDOW = 150
TRIM_AT = 2 * WINDOW
# A stored run fills in a slice at a time, newest first, one slice per event-loop turn: laying out dozens of
# bubbles at once would stall the window (and every other room) on a slow machine.
FILL_SLICE = 10


@dataclass
class Note:
    """A small centred system line between bubbles: 'info', 'error' or 'violation'."""

    key: int
    text: str
    kind: str


class TranscriptView(LiveDocumentView):
    """Streaming inserts at the end of the message's own block, never re-rendering the document; the
    view follows new text only while the reader is at the bottom. Every item (bubble or note) is a frame
    rendered from its state, so it can leave the document and come back.

    While the view is hidden in a shown window (a background tab) the document is not touched: changes
    go to the items' state only and are laid out, in one edit, when the view is shown again."""

    earlier_wanted = Signal()  # the reader wants older stored messages that were not read: call prepend_history

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

    @property
    def hidden_count(self) -> int:
        """Items not in the document: older items kept in memory, and stored messages not read yet."""
        return self._hidden + self._unread

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

    def add_history(self, messages: Iterable[Message], offers: Iterable[Offer] = (),
                    violations: Iterable[Violation] = (), window: int = WINDOW, unread: int = 0,
                    sliced: bool = False) -> None:
        """A stored (or resumed) run: every item is kept, the newest `window` are rendered, in one edit
        (`sliced`: the newest FILL_SLICE at once, the older ones above them a slice per loop turn; what streams
        in meanwhile goes below them all). `unread` older stored messages were not read: they are asked for
        when the reader scrolls up to them."""
        fresh = not self._order
        if not self._out_of_sight():
            self.catch_up()  # before the new items join the order: they are rendered below
        first_new = len(self._order)
        messages = list(messages)
        keys = self._new_bubbles(messages)
        oldest = messages[0].seq if messages and unread else None
        for offer in offers:
            self.attach_offer(offer)
        notes: list[str] = []
        for violation in violations:
            owner = self._by_seq.get(violation.message_seq) if violation.message_seq is not None else None
            if owner is not None:
                self._bubbles[owner].violations.append(violation)
            elif oldest is not None and violation.message_seq is not None and violation.message_seq < oldest:
                self._pending_violations.append(violation)  # its message comes with an earlier page
            else:
                notes.append(violation_line(violation))
        for text in notes:
            key, self._next_key = self._next_key, self._next_key + 1
            self._notes[key] = Note(key, text, "violation")
            self._order.append(key)
        new = self._order[first_new:]
        if fresh:
            self._unread = unread if keys else 0
        if fresh and len(new) > window:
            self._hidden = len(new) - window
            new = new[-window:]
        if self._out_of_sight():
            self._unrendered.extend(new)
            return
        if sliced and fresh and len(new) > FILL_SLICE:
            self._filling = len(new) - FILL_SLICE
            self._hidden += self._filling
            new = new[-FILL_SLICE:]
            QTimer.singleShot(0, self, partial(self._fill_step, self._fill_run))
        with self.edit_block():
            cursor = self._end_cursor()
            for key in new:
                self._render_item(key, cursor)
                cursor = self._end_cursor()
            self._render_top()
            self._trim()

    def _new_bubbles(self, messages: Iterable[Message]) -> list[int]:
        """Complete bubbles for stored messages, appended to the order; their keys."""
        colors: dict[str, SpeakerColors] = {}
        keys = []
        for message in messages:
            if message.sender not in colors:
                colors[message.sender] = self._colors_of(message.sender)
            key = self._new_bubble(message.sender, message.role.value, message.round, message.recipients,
                                   colors[message.sender])
            self.complete(key, message)
            keys.append(key)
        return keys

    def prepend_history(self, messages: list[Message] | None, offers: Iterable[Offer] = ()) -> int:
        """The answer to earlier_wanted: stored messages just older than those held (None: reading failed).
        They go above the others and are shown, the view staying where it was. Returns how many came."""
        self._reading = False
        if messages is None:
            return 0
        held = list(self._order)
        keys = self._new_bubbles(messages)
        self._order = keys + held  # they are older than every item held
        self._unread = max(0, self._unread - len(keys)) if keys else 0
        self._hidden += len(keys)
        seqs = {message.seq for message in messages}
        for offer in offers:
            if offer.message_seq in seqs:
                self.attach_offer(offer)
        waiting, self._pending_violations = self._pending_violations, []
        for violation in waiting:
            if violation.message_seq in seqs:
                self._bubbles[self._by_seq[violation.message_seq]].violations.append(violation)
            elif self._unread:
                self._pending_violations.append(violation)
            else:  # its message is not stored: shown as a line at the top rather than lost
                key, self._next_key = self._next_key, self._next_key + 1
                self._notes[key] = Note(key, violation_line(violation), "violation")
                self._order.insert(0, key)
                keys.append(key)
                self._hidden += 1
        if not keys:
            self._render_top()  # nothing older after all: the link goes
            return 0
        return self.show_earlier(len(keys))

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

    # ----- the window of rendered items -----------------------------------------------------------

    def show_earlier(self, count: int = WINDOW) -> int:
        """Render up to `count` more of the older items above the others, keeping the view where it was.
        When only unread stored messages are older, ask for them (earlier_wanted) and return 0."""
        self.catch_up()
        if not self._hidden:
            if self._unread and not self._reading:
                self._reading = True
                self.earlier_wanted.emit()
            return 0
        self.settle()
        bar = self.verticalScrollBar()
        old_value, old_height = bar.value(), self.document().size().height()
        shown = self._render_earlier(count)
        self.follow = False
        bar.setValue(old_value + round(self.document().size().height() - old_height))
        return shown

    def filling(self) -> bool:
        """Whether a stored run is still being laid out, a slice per loop turn."""
        return self._filling > 0

    def _fill_step(self, run: int) -> None:
        """Lay out the next older slice of the stored run above what is shown; the reader following the end
        stays there, one who scrolled up keeps their place."""
        if run != self._fill_run or not self._filling:
            return
        count = min(FILL_SLICE, self._filling)
        self._filling -= count
        if self.follow:
            self._render_earlier(count)  # the range change keeps the view at the end
        else:
            self.settle()  # the size read below must include this turn's live edits
            bar = self.verticalScrollBar()
            old_value, old_height = bar.value(), self.document().size().height()
            self._render_earlier(count)
            bar.setValue(old_value + round(self.document().size().height() - old_height))
        if self._filling:
            QTimer.singleShot(0, self, partial(self._fill_step, run))

    def _render_earlier(self, count: int) -> int:
        """Render up to `count` of the hidden items just above the rendered ones, in one edit."""
        start = max(0, self._hidden - count)
        keys = self._order[start:self._hidden]
        with self.edit_block():
            cursor = self._top_cursor()
            for key in keys:
                frame = self._render_item(key, cursor)
                cursor = QTextCursor(self.document())
                cursor.setPosition(frame.lastPosition() + 1)  # the empty block after it
            self._hidden = start
            self._filling = min(self._filling, self._hidden)
            self._render_top()
        return len(keys)

    def _trim(self) -> None:
        """While the reader follows the end, drop the oldest rendered items beyond TRIM_AT (one cheap edit
        at the top of the document) down to WINDOW; a message still streaming is never dropped."""
        if not self.follow or len(self._frames) <= TRIM_AT:
            return
        keys = self._order[self._hidden:self._hidden + len(self._frames) - WINDOW]
        for i, key in enumerate(keys):
            if key in self._bubbles and self._bubbles[key].streaming:
                keys = keys[:i]
                break
        if not keys:
            return
        first_kept = self._frames[self._order[self._hidden + len(keys)]]
        with self.edit_block():
            cursor = self._top_cursor()
            cursor.setPosition(first_kept.firstPosition() - 1, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            for key in keys:
                del self._frames[key]
            self._hidden += len(keys)
            self._render_top()

    def _top_cursor(self) -> QTextCursor:
        """At the end of the document's first block (the 'earlier items' line), before every frame."""
        block = self.document().firstBlock()
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        return cursor

    def _render_top(self) -> None:
        self._batch()
        cursor = QTextCursor(self.document().firstBlock())
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        block = QTextBlockFormat()
        n = self._hidden - self._filling + self._unread  # those the fill lays out anyway are not offered
        if not n:
            if cursor.hasSelection():
                cursor.removeSelectedText()
            cursor.setBlockFormat(block)
            return
        block.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        cursor.setBlockFormat(block)
        link = self._small_format()
        link.setAnchor(True)
        link.setAnchorHref("earlier:")
        cursor.insertText(f"▴ {n:,} earlier item{'s' if n != 1 else ''} — scroll up or click to show them", link)

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self.follow = value >= bar.maximum() - FOLLOW_SLACK_PX
        if self.hidden_count and value == bar.minimum() and bar.maximum() > 0:
            QTimer.singleShot(0, self.show_earlier)  # not from inside the scroll bar's own signal

    # ----- rendering one item (never the whole document) ------------------------------------------

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

    def _on_anchor(self, url: QUrl) -> None:
        kind, _, key = url.toString().partition(":")
        if kind == "earlier":
            self.show_earlier()
        elif kind == "reasoning" and key.isdigit() and int(key) in self._frames:
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

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        # On its first show QTextEdit scrolls to its text cursor (the document's start): a stored or
        # finished run must open at its end, where the outcome is.
        self.catch_up()  # before the first paint
        follow = self.follow
        super().showEvent(event)
        if follow:
            self.scroll_to_end()

    def scroll_to_end(self) -> None:
        self.settle()
        self.follow = True
        self.setTextCursor(self._end_cursor())
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_range(self, _minimum: int, maximum: int) -> None:
        if self.follow:
            self.verticalScrollBar().setValue(maximum)
