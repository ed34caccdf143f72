"""An opened session, Qt-free: client, event bus, recorder and engine, and the one owner of its room tasks.

The window, the CLI, the smoke test and the tests all open sessions through this class. It holds the
storage-failure policy (pause the running rooms while the database refuses writes, continue the ones it
paused once writes work again; end them in the error state when the failure cannot clear) and brings every
callback from the recorder's writer thread onto the event loop before listeners hear of it.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial

from ..domain import RunState, SessionConfig
from ..engine import EventBus, InputError, RunSnapshot, SessionEngine
from ..engine.events import Event, RunFinished, TokenDelta
from ..storage import Recorder, RunOwnedElsewhere, StorageError, Store, StoredSession
from ..storage.async_store import AsyncStore
from .clients import ClientFactory, client_factory, client_for  # noqa: F401 - also offered from here
from .notices import Notice, RoomFailed, RoomRunning, RunStored, ServerContact, StorageFailed, StorageRecovered

log = logging.getLogger(__name__)
Listener = Callable[[Event | Notice], None]


class SessionRuntime:
    """Everything that lives while one stored session is open. Create it on the running loop."""

    def __init__(self, store: Store, session_id: int, make_client: ClientFactory, *,
                 config: SessionConfig | None = None, max_rounds: int | None = None, model: str | None = None,
                 recorded_model: str | None = None, recorder_retry_delays: tuple[float, ...] | None = None,
                 stored: StoredSession | None = None) -> None:
        stored = stored or store.get_session(session_id)  # the window reads it off the loop and passes it
        self.store = store
        self.session_id = session_id
        self.name = stored.name
        self.experiment_arm = (stored.experiment_id, stored.arm) if stored.arm is not None else None
        self.config: SessionConfig = config or stored.config  # a resumed run brings the config it used
        self._loop = asyncio.get_running_loop()
        self._listeners: list[Listener] = []
        self._tasks: dict[str, asyncio.Task] = {}
        self._paused_for_storage: set[str] = set()
        self.storage_error: StorageError | None = None  # set while the database refuses writes
        self.closed = False
        self.bus = EventBus()
        self.client = make_client(self.config.llm)
        self.client.on_contact = self._server_contact
        self.recorder = (Recorder(store, session_id, self.config, retry_delays=recorder_retry_delays)
                         if recorder_retry_delays else Recorder(store, session_id, self.config))
        self.recorder.on_error = partial(self._from_writer, self._storage_failed)
        self.recorder.on_recovered = partial(self._from_writer, self._storage_recovered)
        self.recorder.on_stored = partial(self._from_writer, self._runs_stored)
        self._token_listeners: list[Listener] = []
        self._stop_tokens: Callable[[], None] | None = None
        self._unsubscribe = [self.bus.subscribe(self.recorder.handle, tokens=False),
                             self.bus.subscribe(self._tell, tokens=False)]
        self.engine = SessionEngine(self.config, self.client, self.bus, max_rounds=max_rounds, model=model,
                                    recorded_model=recorded_model)

    # ----- listeners ------------------------------------------------------------------------------

    def subscribe(self, listener: Listener, *, tokens: bool = True) -> Callable[[], None]:
        """Hear every engine event and runtime notice, on the loop, in order (token deltas only when `tokens`: the
        engine makes none while nobody wants them); returns the unsubscribe."""
        self._listeners.append(listener)
        if tokens:
            self._token_listeners.append(listener)
            self._hear_tokens()

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)
            if listener in self._token_listeners:
                self._token_listeners.remove(listener)
                self._hear_tokens()

        return unsubscribe

    def _hear_tokens(self) -> None:
        """Token deltas reach the runtime only while one of its listeners wants them."""
        wanted = bool(self._token_listeners)
        if wanted != (self._stop_tokens is not None):
            if self._stop_tokens is not None:
                self._stop_tokens()
                self._stop_tokens = None
            else:
                self._stop_tokens = self.bus.subscribe(self._tell_token)

    def _tell_token(self, item: Event) -> None:
        if type(item) is TokenDelta:
            self._tell(item, self._token_listeners)

    def _tell(self, item: Event | Notice, listeners: list[Listener] | None = None) -> None:
        for listener in list(self._listeners if listeners is None else listeners):
            try:
                listener(item)
            except Exception:  # noqa: BLE001 - a broken listener must not stop the others
                log.exception("runtime listener %r failed on %s", listener, type(item).__name__)

    def _from_writer(self, handler: Callable, *args) -> None:
        """Called on the recorder's writer thread: run `handler` on the loop instead."""
        try:
            self._loop.call_soon_threadsafe(handler, *args)
        except RuntimeError:  # the loop is closed: nobody is left to tell
            log.debug("loop closed; %s dropped", getattr(handler, "__name__", handler))

    # ----- room tasks: the runtime is their one owner ---------------------------------------------

    def start(self, room: str, *, opening: str | None = None, resume: RunSnapshot | None = None,
              seed: int | None = None, claimed: bool = False) -> asyncio.Task:
        """Start (or resume) a room's run; `seed` makes its strategy agents replay the same moves. Raises
        InputError when it cannot start (already running, or the stored run is negotiated by another process).
        `claimed`: resume_stored already took the stored run over."""
        runner = self._runner(room)
        if runner.running:
            raise InputError("This room is already negotiating. Stop it first to run it again.")
        if resume is not None and not claimed:
            try:
                self.store.claim_run(resume.run_id)
            except RunOwnedElsewhere as exc:
                raise InputError(exc.user_message) from None
        task = runner.start(opening=opening, resume=resume, seed=seed)
        self._tasks[room] = task
        task.add_done_callback(partial(self._task_done, room))
        if self.storage_error is not None:  # started while the disk refuses writes: it waits with the others
            runner.pause()
            self._paused_for_storage.add(room)
        self._tell(RoomRunning(room, True))
        return task

    def resume_run(self, run_id: str) -> asyncio.Task:
        """Pick a stored run of this session up again, in its room."""
        record = self.store.load_run(run_id)
        return self.start(record.room_key, resume=self.store.snapshot(run_id))

    async def resume_stored(self, room: str, run_id: str) -> asyncio.Task:
        """Resume a stored run of `room` with the loop never waiting on the disk: the snapshot is read and
        the run claimed on the store's thread. Raises InputError as start() does."""
        if self._runner(room).running:
            raise InputError("This room is already negotiating. Stop it first to run it again.")
        disk = AsyncStore.of(self.store)
        snapshot = await disk.run(Store.snapshot, run_id)
        try:
            await disk.claim_run(run_id)
        except RunOwnedElsewhere as exc:
            raise InputError(exc.user_message) from None
        return self.start(room, resume=snapshot, claimed=True)

    def start_all(self) -> list[asyncio.Task]:
        """Start every room that is not negotiating; returns their tasks."""
        return [self.start(key) for key, runner in self.engine.rooms.items() if not runner.running]

    def send(self, room: str, text: str) -> asyncio.Task | None:
        """A buyer message typed by the person: joins the running run, or opens a new run (owned here)."""
        runner = self._runner(room)
        if runner.running:
            runner.send(text)
            return None
        text = runner.validate_message(text)
        if runner.state.finished:
            raise InputError("This negotiation has ended. Press Run again to start a new one.")
        return self.start(room, opening=text)

    def stop(self, room: str) -> None:
        """Cancel the room's task: the runner keeps what was said and ends the run as stopped."""
        task = self._tasks.get(room)
        if task is not None and not task.done():
            task.cancel()

    async def stop_all(self) -> None:
        """Cancel every running room and wait until each has ended (call while the loop still runs)."""
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def task(self, room: str) -> asyncio.Task | None:
        return self._tasks.get(room)

    @property
    def running_rooms(self) -> list[str]:
        return [room for room, task in self._tasks.items() if not task.done()]

    def _runner(self, room: str):
        try:
            return self.engine.rooms[room]
        except KeyError:
            raise InputError(f"There is no room {room} in this session.") from None

    def _task_done(self, room: str, task: asyncio.Task) -> None:
        if self._tasks.get(room) is task:
            del self._tasks[room]
        self._paused_for_storage.discard(room)
        self._tell(RoomRunning(room, False))
        if task.cancelled():
            return
        exc = task.exception()  # retrieving it also keeps asyncio from logging "never retrieved"
        if exc is not None:
            log.error("room %s task failed", room, exc_info=exc)
            self._tell(RoomFailed(room, f"The negotiation in this room stopped unexpectedly: {exc!r}"))

    def _server_contact(self, reachable: bool) -> None:
        self._tell(ServerContact(reachable, self.client.base_url))

    # ----- storage failures -----------------------------------------------------------------------

    def _storage_failed(self, error: StorageError) -> None:
        """Nothing more should be said that cannot be stored: running rooms pause at their next turn (queued
        events are kept and retried) until the recorder reports that writes work again. An error that cannot
        clear (a broken rule, a damaged file, a schema this version does not know) ends the runs instead:
        waiting for it would wait forever."""
        if not error.transient:
            self._tell(StorageFailed(error))
            for runner in self.engine.rooms.values():
                runner.fail(f"The database cannot store this run: {error.user_message}")
            return
        self.storage_error = error
        for key, runner in self.engine.rooms.items():
            if runner.running and not runner.paused:
                runner.pause()
                self._paused_for_storage.add(key)
        self._tell(StorageFailed(error))

    def _storage_recovered(self) -> None:
        self.storage_error = None
        for key in sorted(self._paused_for_storage):
            runner = self.engine.rooms[key]
            if runner.running:
                runner.resume()
        self._paused_for_storage.clear()
        self._tell(StorageRecovered())

    def _runs_stored(self, events: list[Event]) -> None:
        for event in events:
            state = event.state if isinstance(event, RunFinished) else RunState.RUNNING
            self._tell(RunStored(event.room, event.run_id, state))

    # ----- closing --------------------------------------------------------------------------------

    async def close(self, timeout: float = 10.0) -> bool:
        """Cancel running rooms, store their partial transcripts, release everything. The recorder is
        drained and closed on a worker thread, so the loop (the GUI thread) never waits on the disk.
        Returns False if some events could not be stored within `timeout`."""
        if self.closed:
            return True
        self.closed = True
        stored = True
        try:
            await self.stop_all()
            stored = await asyncio.to_thread(self.recorder.close, timeout)
            if not stored:
                log.error("session %s: some events could not be stored before closing", self.session_id)
        finally:
            for unsubscribe in self._unsubscribe:
                unsubscribe()
            if self._stop_tokens is not None:
                self._stop_tokens()
                self._stop_tokens = None
            await self.client.aclose()
        return stored
