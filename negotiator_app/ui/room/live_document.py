"""How a transcript's document is edited live: the edits of one loop turn are laid out once, and a view out
of sight (a background tab) is not laid out at all until it is shown again."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor, QTextFrame
from PySide6.QtWidgets import QTextBrowser, QWidget

# A view shown again after more new items than this restarts with the newest ones only (a screenful and
# more): laying out 150 bubbles at once takes longer than a frame on a slow machine.
CATCH_UP_WINDOW = 40


class LiveDocumentView(QTextBrowser):
    """The document side of the transcript. Every item is a frame rendered from its state (the subclass
    renders it), so a change made while out of sight is kept as state and rendered when shown."""

    _order: list[int]  # every item's key, oldest first
    _frames: dict[int, QTextFrame]  # the items now in the document
    _hidden: int  # how many of the oldest items are not in the document
    _stale: set[int]  # rendered items changed while out of sight
    _unrendered: list[int]  # items added while out of sight, oldest first

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._open_edit: QTextCursor | None = None  # the edit block of this loop turn, if any
        self._in_block = 0  # inside edit_block(): edits are laid out when it ends

    def _render_item(self, key: int, cursor: QTextCursor) -> QTextFrame:
        raise NotImplementedError

    def _end_cursor(self) -> QTextCursor:
        raise NotImplementedError

    def _render_top(self) -> None:
        raise NotImplementedError

    def _trim(self) -> None:
        raise NotImplementedError

    @property
    def waiting_count(self) -> int:
        """How many items changed or were added while the view was hidden and wait to be laid out."""
        return len(self._stale) + len(self._unrendered)

    def _out_of_sight(self) -> bool:
        """Hidden in a shown window (a background tab): a document edit would cost a layout nobody sees."""
        return not self.isVisible() and self.window().isVisible()

    def _changed(self, key: int) -> bool:
        """Call after changing a rendered item's state: True if the caller is to edit its frame now; False
        if the view is out of sight (the item is rendered anew when shown) or catching up just did it."""
        if self._out_of_sight():
            self._stale.add(key)
            return False
        return key not in self.catch_up()

    def catch_up(self) -> set[int]:
        """Lay out, in one edit, what changed while the view was out of sight: changed items rendered anew
        in place, new ones appended; after more than CATCH_UP_WINDOW new items the document restarts with the
        newest of them. Returns the keys rendered."""
        stale, new = self._stale, self._unrendered
        if not stale and not new:
            return set()
        self._stale, self._unrendered = set(), []
        if len(new) > CATCH_UP_WINDOW:
            end = self._order.index(new[-1]) + 1  # an item being added now is rendered by its caller
            self.settle()
            self.document().clear()
            self._frames.clear()
            stale, self._hidden = set(), end - CATCH_UP_WINDOW
            new = self._order[self._hidden:end]
        with self.edit_block():
            for key in stale:
                if key in self._frames:
                    self._render_item(key, self._cut(self._frames.pop(key)))  # anew, at the same place
            for key in new:
                self._render_item(key, self._end_cursor())
            self._render_top()
            self._trim()
        return stale | set(new)

    def _cut(self, frame: QTextFrame) -> QTextCursor:
        """Remove an item's frame from the document; the cursor is left at the empty block in its place."""
        self._batch()
        cursor = QTextCursor(self.document())
        cursor.setPosition(frame.firstPosition() - 1)
        cursor.setPosition(frame.lastPosition() + 1, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        return cursor

    @contextmanager
    def edit_block(self) -> Iterator[None]:
        """Group many edits into one layout pass, done when the block ends (a stored run, older items)."""
        self.settle()
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        self._in_block += 1
        try:
            yield
        finally:
            self._in_block -= 1
            cursor.endEditBlock()

    def _batch(self) -> None:
        """Every live edit calls this first: it joins the loop turn's edit block, laid out once when the turn
        ends (or before a read that needs the layout: settle()). A message completed, its offer and the next
        message started arrive as separate events in one turn: one layout instead of one each."""
        if self._open_edit is None and not self._in_block:
            self._open_edit = QTextCursor(self.document())
            self._open_edit.beginEditBlock()
            QTimer.singleShot(0, self, self.settle)

    def settle(self) -> None:
        """Lay out now what this turn edited (a paint before it shows the previous layout, never a wrong one)."""
        cursor, self._open_edit = self._open_edit, None
        if cursor is not None:
            cursor.endEditBlock()
