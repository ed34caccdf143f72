"""The page that hosts an opened session: its runtime, the engine bridge and the rooms view.

It never reaches into the window: what the window must act on (edit, summary, a run stored, a failure)
leaves as a signal.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..domain.states import RESUMABLE_STATES
from ..storage.async_store import AsyncStore
from ..storage.errors import StorageError
from .elided_label import ElidedLabel
from .icons import icon
from .next_turn import next_turn
from .owned_tasks import OwnedTasks

if TYPE_CHECKING:  # the runtime, the store and the stored records' models load after the window is shown
    from ..runtime import SessionRuntime
    from ..storage import Store
    from ..storage.models import LatestRun, RunRecord, RunSummary
    from .bridge import EngineBridge
    from .run_picker import RunPicker

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
        self.pickers: dict[str, RunPicker] = {}  # room key -> its run picker
        self._latest: dict[str, LatestRun] = {}  # room key -> its newest stored run (state and owner)
        self._picked: dict[str, str] = {}  # room key -> the stored run picked for its pane (until a live run)
        self._tasks = OwnedTasks(self._read_failed)  # reads on the store's thread, cancelled at close
        self._spawn = self._tasks.spawn
        self.history_loaded: asyncio.Task | None = None
        self.title = ElidedLabel()  # a 100-character name must not set the window's minimum width
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.details = ElidedLabel()
        self.edit_button = QPushButton(icon("edit"), "Edit…")
        self.summary_button = QPushButton(icon("summary"), "Summary")
        self.edit_button.clicked.connect(self.edit_requested)
        self.summary_button.clicked.connect(self.summary_requested)
        header = QHBoxLayout()
        header.addWidget(self.title, 3)
        header.addWidget(self.details, 2)
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
        self.show_name(runtime.name)
        rooms = len(runtime.engine.rooms)
        arm = f"Experiment {runtime.experiment_arm[0]} · arm {runtime.experiment_arm[1]} · " if runtime.experiment_arm else ""
        self.details.set_full_text(f"{arm}{runtime.config.buyer.name} · {rooms} room{'s' if rooms != 1 else ''} · "
                                   f"{len(runtime.config.sellers)} sellers")
        self.history_loaded = self._spawn(self.load_history())
        return self.history_loaded

    def show_name(self, name: str) -> None:
        """The header follows the session's name (also after a rename while it is open)."""
        if self.runtime is not None:
            self.runtime.name = name
        self.title.set_full_text(name)

    async def load_history(self) -> None:
        """Each pane shows its room's latest stored run, and can resume it when it was cut short; its run
        picker lists the earlier runs. The runs are read on the store's thread; the GUI thread only renders."""
        from .run_picker import RunPicker  # with the rooms' widgets: not needed before a session opens

        runtime, bridge, panes = self.runtime, self.bridge, getattr(self.view, "panes", {})
        if runtime is None or bridge is None:
            return
        disk = self._disk(runtime)
        latest = await disk.latest_runs(runtime.session_id)
        runs = _by_room(await disk.list_runs(runtime.session_id))
        records = await disk.run(_load_runs, [latest[key].run_id for key in panes if key in latest],
                                 _opening_window())
        if self.runtime is not runtime:
            return  # another session was opened meanwhile
        self._latest = latest
        self.pickers = {}
        for key, pane in panes.items():
            if key in latest:
                pane.load_history(records[latest[key].run_id])
            picker = RunPicker(pane)
            picker.set_runs(runs.get(key, []))
            picker.run_chosen.connect(lambda run_id, _latest, key=key: self._pick(key, run_id))
            bridge.channel(key).running_changed.connect(lambda running, key=key: self._room_running(key, running))
            pane.controls.add_header_widget(picker)
            self.pickers[key] = picker
            pane.set_resume_provider(lambda key=key: self._resumable(key))
            pane.set_earlier_provider(self._read_earlier)
            await next_turn(self)  # one pane per loop turn: ten long transcripts are never one long stall
            if self.runtime is not runtime:
                return

    def _pick(self, room_key: str, run_id: str) -> None:
        self._picked[room_key] = run_id
        self._spawn(self._show_run(room_key, run_id))

    async def _show_run(self, room_key: str, run_id: str) -> None:
        """An earlier run is shown read-only: no typing (a stored run), no Resume (that is the latest's)."""
        runtime = self.runtime
        if runtime is None:
            return
        try:
            record = await self._disk(runtime).load_run(run_id, _opening_window())  # the GUI thread never waits on disk
        except StorageError as exc:
            self.room_failed.emit(f"That run could not be read: {exc.user_message}")
            return
        pane = getattr(self.view, "panes", {}).get(room_key)
        if runtime is not self.runtime or pane is None or pane.runner.running:
            return  # closed, or a new run began meanwhile: it is what the pane shows now
        pane.load_history(record)

    def _read_earlier(self, run_id: str, before_seq: int, limit: int, done) -> None:
        """A pane's reader scrolled up past what was read of its stored run: read the page before it."""
        self._spawn(self._read_earlier_messages(run_id, before_seq, limit, done))

    async def _read_earlier_messages(self, run_id: str, before_seq: int, limit: int, done) -> None:
        runtime = self.runtime
        if runtime is None:
            return
        try:
            messages = await self._disk(runtime).load_messages(run_id, before_seq, limit)
        except StorageError as exc:
            self.room_failed.emit(f"Earlier messages could not be read: {exc.user_message}")
            messages = None
        if runtime is self.runtime:
            done(messages)

    def _room_running(self, room_key: str, running: bool) -> None:
        picker = self.pickers.get(room_key)
        if running:
            self._picked.pop(room_key, None)
        if picker is not None:
            if running:
                picker.show_latest()  # the pane shows the new run live
            picker.setEnabled(not running)

    async def _refresh_runs(self, room_key: str) -> None:
        runtime = self.runtime
        if runtime is None:
            return
        try:
            runs = await self._disk(runtime).list_runs(runtime.session_id, room_key)
        except StorageError:
            return  # the database refuses: the storage failure is reported on its own, the list stays
        picker = self.pickers.get(room_key)
        if runtime is self.runtime and picker is not None and picker.showing_latest():
            picker.set_runs(runs)

    async def refresh_resumable(self) -> None:
        """Re-read each room's newest run state (one cheap query) and update the panes' Resume buttons."""
        runtime = self.runtime
        if runtime is None:
            return
        latest = await self._disk(runtime).latest_runs(runtime.session_id)
        if self.runtime is not runtime:
            return
        self._latest = latest
        panes = getattr(self.view, "panes", {})
        for pane in panes.built() if hasattr(panes, "built") else panes.values():  # one not built yet asks later
            pane.refresh()

    @staticmethod
    def _disk(runtime: SessionRuntime) -> AsyncStore:
        return AsyncStore.of(runtime.store)

    def _resumable(self, room_key: str) -> str | None:
        """The run Resume would pick up: from memory, never the disk (refresh() asks on every event). An earlier
        run shown in the picker has no Resume: that is the latest's."""
        runtime, latest = self.runtime, self._latest.get(room_key)
        picker = self.pickers.get(room_key)
        if picker is not None and not picker.showing_latest():
            return None
        if runtime is None or latest is None or latest.state not in RESUMABLE_STATES:
            return None
        in_memory = runtime.engine.rooms[room_key].run_id
        if in_memory is not None and in_memory != latest.run_id:
            return None  # the run just shown is not stored yet: never resume an older one instead
        return latest.run_id

    def _run_stored(self, room: str, run_id: str) -> None:
        self._spawn(self.refresh_resumable())  # Resume depends on the stored state, which has just changed
        if room in getattr(self.view, "panes", {}):
            self._spawn(self._refresh_runs(room))
        if self._picked.get(room) == run_id:
            # The run picked was read before its end was stored (the recorder commits a moment after the room ends
            # on screen): read it again, or its pane would keep showing it without its last messages. The store
            # answers in the order asked, so this read lands after the one it corrects.
            self._spawn(self._show_run(room, run_id))
        self.runs_stored.emit()

    def _read_failed(self, exc: BaseException) -> None:
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
        self.pickers = {}
        self._latest = {}
        self._picked = {}
        await self._tasks.cancel_all()
        try:
            await bridge.stop_all()
            await runtime.close()
        finally:
            bridge.close()
            if view is not None:
                self.body.removeWidget(view)
                view.deleteLater()


def _load_runs(store: Store, run_ids: list[str], last_messages: int) -> dict[str, RunRecord]:
    """Each run with the newest messages a pane opens with: a 1,000-message run is not read to show 40 (the
    store thread would hold the interpreter, and collect its garbage, long enough to stall the window)."""
    return {run_id: store.load_run(run_id, last_messages) for run_id in run_ids}


def _opening_window() -> int:
    from .room.pane import OPENING_WINDOW  # loaded with the view already; not at start-up

    return OPENING_WINDOW


def _by_room(runs: list[RunSummary]) -> dict[str, list[RunSummary]]:
    """The store's list (newest first) split per room, keeping the order."""
    rooms: dict[str, list[RunSummary]] = {}
    for run in runs:
        rooms.setdefault(run.room_key, []).append(run)
    return rooms
