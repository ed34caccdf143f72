"""The session runtime's in-memory sibling, for runs whose agents are all strategies (experiment repetitions).

Such a run never waits on a server, so what it costs is the engine and the writes. It skips what the session
runtime adds for runs a person watches (a writer thread, a heartbeat, live storage of every message) and keeps
what makes it an ordinary stored run: the same engine and the same events, which its owner stores at once
through the recorder's own event writer (storage.experiments.store_attempt), so the rows are the same too.
"""
from __future__ import annotations

import asyncio

from ..domain import RunState, SessionConfig
from ..engine import ErrorRaised, EventBus, SessionEngine
from ..engine.events import Event, RunStarted
from ..engine.limiter import FairLimiter
from ..llm import LLMClient
from ..storage.event_rows import STORED_EVENTS


class QuickRun:
    """Create on the running loop; `negotiate()` once, `stop()` from anywhere on the loop."""

    def __init__(self, config: SessionConfig, client: LLMClient, limiter: FairLimiter) -> None:
        self.events: list[Event] = []  # what the recorder would store, in order
        self.errors: list[str] = []  # fatal errors, in words
        bus = EventBus()
        bus.subscribe(self._hear, tokens=False)
        self.engine = SessionEngine(config, client, bus)
        self.engine.limiter = limiter
        for room in self.engine.rooms.values():
            room.limiter = limiter
        self.run_ids: list[str] = []

    def _hear(self, event: Event) -> None:
        if isinstance(event, STORED_EVENTS):
            self.events.append(event)
        if isinstance(event, ErrorRaised) and event.fatal:
            self.errors.append(event.message)

    async def negotiate(self, seed: int) -> list[RunState | BaseException]:
        """Every room once, with the repetition's seed; returns each room's final state (or what it raised)."""
        tasks = [room.start(seed=seed) for room in self.engine.rooms.values()]
        self.run_ids = [room.run_id for room in self.engine.rooms.values() if room.run_id is not None]
        states = await asyncio.gather(*tasks, return_exceptions=True)
        # A room stopped before its task first ran said nothing and has no row: its id must not tag the attempt.
        began = {event.run_id for event in self.events if isinstance(event, RunStarted)}
        self.run_ids = [run_id for run_id in self.run_ids if run_id in began]
        return states

    def stop(self) -> None:
        for room in self.engine.rooms.values():
            room.stop()
