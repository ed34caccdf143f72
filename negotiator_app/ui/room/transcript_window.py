"""The window of rendered transcript items: older items come back when the reader scrolls up, a stored run
fills in a slice per loop turn, the oldest drop out while the reader follows the end, which the view follows."""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QTimer, Qt, Signal
from PySide6.QtGui import QTextBlockFormat, QTextCursor

from ..next_turn import after_paint
from .transcript_items import ItemDocumentView

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


class ItemWindowView(ItemDocumentView):
    """Holds every item's key in order (`_order`); the document renders a contiguous run of them, the newest
    while the reader follows the end. `_hidden` older items are kept in memory only, `_unread` stored
    messages older still were never read (they are asked for with earlier_wanted)."""

    earlier_wanted = Signal()  # the reader wants older stored messages that were not read: call prepend_history

    _unread: int
    _reading: bool
    _filling: int
    _fill_run: int
    _show_later: bool
    follow: bool

    @property
    def hidden_count(self) -> int:
        """Items not in the document: older items kept in memory, and stored messages not read yet."""
        return self._hidden + self._unread

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
            after_paint(self, partial(self._fill_step, run))

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

    def show_later(self) -> None:
        """When next shown, catch up in a loop turn after the first paint rather than before it (see
        RoomPane.show_later)."""
        self._show_later = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        # On its first show QTextEdit scrolls to its text cursor (the document's start): a stored or
        # finished run must open at its end, where the outcome is.
        later, self._show_later = self._show_later, False
        if later:
            after_paint(self, self.catch_up)  # the view follows the end meanwhile (see _on_range)
        else:
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
