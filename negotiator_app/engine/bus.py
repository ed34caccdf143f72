"""The event bus: the engine emits, listeners subscribe; a failing listener never stops a run."""
from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import count

from .events import Event, TokenDelta

log = logging.getLogger(__name__)
Listener = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        # Token deltas are most of the events of a run and few listeners want them (a window showing the stream
        # live does; storage, the CLI and experiments do not): they go to these alone, and are not even made
        # while nobody is here (`wants_tokens`).
        self._token_listeners: list[Listener] = []
        self._seq: dict[str, count] = {}

    @property
    def wants_tokens(self) -> bool:
        """Whether a listener hears token deltas: the engine makes none while nobody does."""
        return bool(self._token_listeners)

    def subscribe(self, listener: Listener, *, tokens: bool = True) -> Callable[[], None]:
        """`listener` hears every event, token deltas only when `tokens`; returns the unsubscribe."""
        self._listeners.append(listener)
        if tokens:
            self._token_listeners.append(listener)

        def unsubscribe() -> None:
            self._listeners.remove(listener)
            if tokens:
                self._token_listeners.remove(listener)

        return unsubscribe

    def emit(self, event: Event) -> Event:
        counter = self._seq.get(event.run_id)
        if counter is None:
            counter = self._seq[event.run_id] = count(1)
        event.seq = next(counter)
        for listener in list(self._token_listeners if type(event) is TokenDelta else self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not break the negotiation
                log.exception("event listener %r failed on %s", listener, type(event).__name__)
        return event

    def continue_sequence(self, run_id: str, last_seq: int) -> None:
        """A resumed run keeps numbering after the events already stored."""
        self._seq[run_id] = count(last_seq + 1)
