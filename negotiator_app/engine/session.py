"""A session's engine: one room runner per planned room, sharing one fair request limiter."""
from __future__ import annotations

import asyncio

from ..domain import SessionConfig, SessionPlan, plan_rooms
from ..llm import LLMClient
from .bus import EventBus
from .limiter import FairLimiter
from .room import RoomRunner


class NoModelAvailable(Exception):
    def __init__(self, base_url: str) -> None:
        self.user_message = (
            f"The server at {base_url} offers no model. Download or load a model in LM Studio, "
            "or pick one in Settings."
        )
        super().__init__(self.user_message)


class SessionEngine:
    def __init__(self, config: SessionConfig, client: LLMClient, bus: EventBus, *, max_rounds: int | None = None,
                 model: str | None = None) -> None:
        self.config = config
        self.client = client
        self.bus = bus
        self.plan: SessionPlan = plan_rooms(config)
        self.limiter = FairLimiter(config.llm.concurrency)
        self._model = model or config.llm.model or None
        self._model_lock = asyncio.Lock()
        self.rooms: dict[str, RoomRunner] = {
            room.key: RoomRunner(room, config, client, bus, self.limiter, self.resolve_model, max_rounds=max_rounds)
            for room in self.plan.rooms
        }

    async def resolve_model(self) -> str:
        """The configured model, else the first loaded one the server lists, else the first listed."""
        async with self._model_lock:
            if not self._model:
                models = await self.client.list_models()
                if not models:
                    raise NoModelAvailable(self.client.base_url)
                loaded = [m for m in models if m.loaded]
                self._model = (loaded or models)[0].id
            return self._model

    def start_all(self) -> list[asyncio.Task]:
        return [room.start() for room in self.rooms.values() if not room.running]

    async def stop_all(self) -> None:
        """Cancel every running room and wait until each has stored its partial messages."""
        tasks = [room.task for room in self.rooms.values() if room.running]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
