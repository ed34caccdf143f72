"""A session's engine: one room runner per planned room, sharing one fair request limiter."""
from __future__ import annotations

import asyncio

from ..domain import SessionConfig, SessionPlan, plan_rooms
from ..llm import LLMClient, choose_model
from .bus import EventBus
from .limiter import FairLimiter
from .room import RoomRunner


class SessionEngine:
    def __init__(self, config: SessionConfig, client: LLMClient, bus: EventBus, *, max_rounds: int | None = None,
                 model: str | None = None, recorded_model: str | None = None) -> None:
        """`model` overrides the session's model; `recorded_model` (the one a resumed run used) comes after it."""
        self.config = config
        self.client = client
        self.bus = bus
        self.plan: SessionPlan = plan_rooms(config)
        self.limiter = FairLimiter(config.llm.concurrency)
        self._preferred = (model, config.llm.model, recorded_model)
        self._model: str | None = None
        self._model_lock = asyncio.Lock()
        self.rooms: dict[str, RoomRunner] = {
            room.key: RoomRunner(room, config, client, bus, self.limiter, self.resolve_model, max_rounds=max_rounds)
            for room in self.plan.rooms
        }

    async def resolve_model(self) -> str:
        """The model every room uses, chosen once (see llm.choose_model)."""
        async with self._model_lock:
            if not self._model:
                self._model = await choose_model(self.client, *self._preferred)
            return self._model

    def start_all(self) -> list[asyncio.Task]:
        return [room.start() for room in self.rooms.values() if not room.running]

    async def stop_all(self) -> None:
        """Cancel every running room and wait until each has stored its partial messages."""
        tasks = [room.task for room in self.rooms.values() if room.running and room.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
