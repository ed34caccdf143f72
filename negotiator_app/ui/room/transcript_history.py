"""A stored run in the transcript: its messages as complete bubbles with their offers and violations, the
newest of them rendered (a slice per loop turn), older pages read from the store when the reader scrolls up."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from ...domain import Message, Offer, Violation
from ..next_turn import after_paint
from ..theme import SpeakerColors
from .bubble import violation_line
from .transcript_items import Note
from .transcript_window import FILL_SLICE, WINDOW, ItemWindowView


class StoredHistoryView(ItemWindowView):
    """Adds a stored run below what is held, or a page of older stored messages above it."""

    _by_seq: dict[int, int]  # a message's seq -> its bubble's key
    _pending_violations: list[Violation]  # tied to messages not read yet
    _next_key: int
    _colors_of: Callable[[str], SpeakerColors]

    def _new_bubble(self, sender: str, role: str, round_: int, recipients: list[str], colors=None) -> int:
        raise NotImplementedError

    def complete(self, key: int, message: Message) -> None:
        raise NotImplementedError

    def attach_offer(self, offer: Offer) -> None:
        raise NotImplementedError

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
            after_paint(self, partial(self._fill_step, self._fill_run))
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

