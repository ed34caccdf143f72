"""An opened session, Qt-free: its event bus, engine and recorder; `close()` stops rooms and flushes."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .domain import LLMSettings, SessionConfig
from .engine import EventBus, SessionEngine
from .llm import LLMClient
from .storage import Recorder, StorageError, Store

log = logging.getLogger(__name__)
ClientFactory = Callable[[LLMSettings], LLMClient]


def client_factory(base_url_override: str | None = None, api_key_fallback: str | None = None) -> ClientFactory:
    """A client per session, from its LLM settings; `--base-url` and the stored API key apply to all."""

    def make(llm: LLMSettings) -> LLMClient:
        return LLMClient(base_url_override or llm.base_url, api_key=llm.api_key or api_key_fallback,
                         read_timeout=llm.read_timeout_s)

    return make


class SessionRuntime:
    """Everything that lives while one stored session is open. The runtime owns its client."""

    def __init__(self, store: Store, session_id: int, make_client: ClientFactory, *,
                 max_rounds: int | None = None, on_storage_error: Callable[[StorageError], None] | None = None) -> None:
        stored = store.get_session(session_id)
        self.store = store
        self.session_id = session_id
        self.name = stored.name
        self.config: SessionConfig = stored.config
        self.bus = EventBus()
        self.client = make_client(self.config.llm)
        self.recorder = Recorder(store, session_id, self.config)
        self._on_storage_error = on_storage_error
        self._loop = asyncio.get_event_loop()
        self.recorder.on_error = self._storage_failed
        self._unsubscribe = self.bus.subscribe(self.recorder.handle)
        self.engine = SessionEngine(self.config, self.client, self.bus, max_rounds=max_rounds)
        self.closed = False

    def _storage_failed(self, error: StorageError) -> None:
        """Called on the recorder's writer thread: nothing more should be said that cannot be stored, so
        running rooms pause at their next turn (queued events are kept and retried); the person resumes
        them once the disk can be written again."""
        self._loop.call_soon_threadsafe(self.pause_running_rooms)
        if self._on_storage_error is not None:
            self._on_storage_error(error)

    def pause_running_rooms(self) -> None:
        for room in self.engine.rooms.values():
            if room.running:
                room.pause()

    @property
    def running_rooms(self) -> list[str]:
        return [key for key, room in self.engine.rooms.items() if room.running]

    async def close(self) -> None:
        """Cancel running rooms, wait until their partial transcripts are stored, then release everything."""
        if self.closed:
            return
        self.closed = True
        try:
            await self.engine.stop_all()
            if not await self.recorder.flush(timeout=10.0):
                log.error("session %s: some events could not be stored before closing", self.session_id)
        finally:
            self.recorder.close(timeout=5.0)
            self._unsubscribe()
            await self.client.aclose()
