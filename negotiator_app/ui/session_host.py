"""The page that hosts an opened session: its runtime, the engine bridge and the rooms view.

It never reaches into the window: what the window must act on (edit, summary, a run stored, a failure)
leaves as a signal.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..domain import RESUMABLE_STATES
from ..runtime import SessionRuntime
from ..storage import Store
from ..storage.async_store import AsyncStore
from ..storage.models import LatestRun, RunRecord
from .icons import icon

if TYPE_CHECKING:
    from .bridge import EngineBridge

log = logging.getLogger(__name__)


def _default_view_factory(engine, bridge):
    from .session_view import SessionView

    return SessionView(engine, bridge)


class SessionHost(QWidget):
    edit_requested = Signal()
    summary_requested = Signal()
    runs_stored = Signal()  # the recorder committed a run's start or end: lists of runs are out of date
    room_failed = Signal(str)  # a line for the status bar
    storage_failed = Signal(str)  # the database refuses writes; running rooms are paused
    storage_recovered = Signal()  # writes work again; the rooms paused for it continue

    def __init__(self, view_factory=None) -> None:
        super().__init__()
        self.view_factory = view_factory or _default_view_factory
        self.runtime: SessionRuntime | None = None
        self.bridge: EngineBridge | None = None
        self.view: QWidget | None = None
        self._latest: dict[str, LatestRun] = {}  # room key -> its newest stored run (state and owner)
        self._tasks: set[asyncio.Task] = set()  # reads on the store's thread, owned and cancelled at close
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.edit_button = QPushButton(icon("edit"), "Edit…")
        self.summary_button = QPushButton(icon("summary"), "Summary")
        self.edit_button.clicked.connect(self.edit_requested)
        self.summary_button.clicked.connect(self.summary_requested)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.edit_button)
        header.addWidget(self.summary_button)
        self.body = QVBoxLayout(self)
        self.body.addLayout(header)

    def open(self, runtime: SessionRuntime) -> asyncio.Task:
        from .bridge import EngineBridge

        self.runtime = runtime
        self.bridge = EngineBridge(runtime)
        self.bridge.task_failed.connect(lambda room, message: self.room_failed.emit(f"{room}: {message}"))
        self.bridge.run_stored.connect(self._run_stored)
        self.bridge.storage_failed.connect(self.storage_failed)
        self.bridge.storage_recovered.connect(self.storage_recovered)
        self.view = self.view_factory(runtime.engine, self.bridge)
        self.body.addWidget(self.view, 1)
        rooms = len(runtime.engine.rooms)
        self.title.setText(f"<b style='font-size:14pt'>{runtime.name}</b> &nbsp; {runtime.config.buyer.name} · "
                           f"{rooms} room{'s' if rooms != 1 else ''} · {len(runtime.config.sellers)} sellers")
        self.history_loaded = self._spawn(self.load_history())
        return self.history_loaded

    async def load_history(self) -> None:
        """Each pane shows its room's latest stored run, and can resume it when it was cut short. The runs are
        read on the store's thread; the GUI thread only renders them."""
        runtime, panes = self.runtime, getattr(self.view, "panes", {})
        if runtime is None:
            return
        latest = await self._disk(runtime).latest_runs(runtime.session_id)
        records = await self._disk(runtime).run(_load_runs, [latest[key].run_id for key in panes if key in latest])
        if self.runtime is not runtime:
            return  # another session was opened meanwhile
        self._latest = latest
        for key, pane in panes.items():
            if key in latest:
                pane.load_history(records[latest[key].run_id])
            pane.set_resume_provider(lambda key=key: self._resumable(key))
            await asyncio.sleep(0)  # one pane per loop turn: ten long transcripts are never one long stall
            if self.runtime is not runtime:
                return

    async def refresh_resumable(self) -> None:
        """Re-read each room's newest run state (one cheap query) and update the panes' Resume buttons."""
        runtime = self.runtime
        if runtime is None:
            return
        latest = await self._disk(runtime).latest_runs(runtime.session_id)
        if self.runtime is not runtime:
            return
        self._latest = latest
        for pane in getattr(self.view, "panes", {}).values():
            pane.refresh()

    @staticmethod
    def _disk(runtime: SessionRuntime) -> AsyncStore:
        return AsyncStore.of(runtime.store)

    def _resumable(self, room_key: str) -> str | None:
        """The run Resume would pick up: from memory, never the disk (refresh() asks on every event)."""
        runtime, latest = self.runtime, self._latest.get(room_key)
        if runtime is None or latest is None or latest.state not in RESUMABLE_STATES:
            return None
        in_memory = runtime.engine.rooms[room_key].run_id
        if in_memory is not None and in_memory != latest.run_id:
            return None  # the run just shown is not stored yet: never resume an older one instead
        return latest.run_id

    def _run_stored(self, room: str, _run_id: str) -> None:
        self._spawn(self.refresh_resumable())  # Resume depends on the stored state, which has just changed
        self.runs_stored.emit()

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("reading the session's runs failed", exc_info=exc)
            self.room_failed.emit(getattr(exc, "user_message", None) or f"Reading stored runs failed: {exc!r}")

    def running_rooms(self) -> list[str]:
        return [] if self.runtime is None else sorted(self.runtime.running_rooms)

    def select_room(self, index: int) -> None:
        if self.view is not None and hasattr(self.view, "select_room"):
            self.view.select_room(index)

    async def close_session(self) -> None:  # not close(): that is QWidget's, and returns at once
        """Stop every room (partial messages are kept), store what is queued, then drop the view."""
        runtime, bridge, view = self.runtime, self.bridge, self.view
        if runtime is None or bridge is None:
            return
        self.runtime = self.bridge = self.view = None
        self._latest = {}
        for task in list(self._tasks):
            task.cancel()
        try:
            await bridge.stop_all()
            await runtime.close()
        finally:
            bridge.close()
            if view is not None:
                self.body.removeWidget(view)
                view.deleteLater()


def _load_runs(store: Store, run_ids: list[str]) -> dict[str, RunRecord]:
    return {run_id: store.load_run(run_id) for run_id in run_ids}
