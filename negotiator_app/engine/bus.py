"""The event bus: the engine emits, listeners subscribe; a failing listener never stops a run."""
from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import count

from .events import Event

log = logging.getLogger(__name__)
Listener = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._seq: dict[str, count] = {}

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: Event) -> Event:
        counter = self._seq.get(event.run_id)
        if counter is None:
            counter = self._seq[event.run_id] = count(1)
        event.seq = next(counter)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not break the negotiation
                log.exception("event listener %r failed on %s", listener, type(event).__name__)
        return event

    def continue_sequence(self, run_id: str, last_seq: int) -> None:
        """A resumed run keeps numbering after the events already stored."""
        self._seq[run_id] = count(last_seq + 1)
