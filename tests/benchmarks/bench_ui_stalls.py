"""Benchmark — the GUI thread never waits on disk: the longest event-loop stall while the window reads.

Set-up: a real MainWindow offscreen on the qasync loop, over a SQLite file holding one session of 10 rooms,
each with a stored (stopped, resumable) run of 1,000 messages — 10,000 messages in all.
Measured, with a 10 ms precise QTimer recording its ticks (idle gap = 10 ms; a stall is a long gap):
- opening the session: from the click until every pane shows its stored run and has been painted;
- 10 panes refresh: the recorder reports a stored run in each of the 10 rooms at once; each pane's Resume
  button is re-checked (one cheap state query), until all are answered;
- switching from tabs to the grid: until all ten panes are painted and their transcripts filled (one-off);
- for comparison, what the old way cost on the GUI thread: loading each room's whole run to decide Resume.
Goal: longest stall < 50 ms for both. Also run while another process keeps one core busy.
Beside each wall-clock stall: the most CPU the GUI thread itself spent between two ticks, which does not grow
when other processes load the machine (a stall far above it was time spent waiting for a core or for the
interpreter lock).

Run: uv run python -m tests.benchmarks.bench_ui_stalls [messages_per_room]
"""
from __future__ import annotations

import asyncio
import gc
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.benchmarks.bench_ui_streaming import history, probe_paint, ten_room_config  # noqa: E402
from tests.benchmarks.common import busy_core, load_average, print_table  # noqa: E402


class Ticks:
    """A 10 ms precise timer's ticks: the longest gap between two is the longest the loop was blocked."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.cpu: list[float] = []  # the GUI thread's CPU time at each tick
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())
        self.cpu.append(time.thread_time())

    async def longest_stall_ms(self, action) -> tuple[float, float, float]:
        """Run `await action()` while ticking; returns (longest gap, duration, most GUI-thread CPU between two
        ticks) in ms."""
        self.ticks, self.cpu = [], []
        self._tick()
        self.timer.start()
        started = time.perf_counter()
        await action()
        duration = time.perf_counter() - started
        await asyncio.sleep(0.05)  # one more tick after the end
        self.timer.stop()
        gaps = [(b - a) * 1000 for a, b in zip(self.ticks, self.ticks[1:])]
        cpu = [(b - a) * 1000 for a, b in zip(self.cpu, self.cpu[1:])]
        return max(gaps, default=0.0), duration * 1000, max(cpu, default=0.0)


def store_session(store, per_room: int) -> int:
    """The 10-room session with a stopped run of `per_room` messages in every room, written in one go."""
    from negotiator_app.domain import RunState
    from negotiator_app.storage import runs as rows

    config = ten_room_config()
    sid = store.create_session(config).id
    record = history(per_room)
    with store.writing() as conn:
        for index, item in enumerate(config.buyer.items, 1):
            run_id = f"bench-run-{index:02d}"
            rows.insert_run(conn, session_id=sid, room_key=f"room-{index}", run_id=run_id, item=item.name,
                            quantity=item.quantity, buyer=config.buyer.name, sellers=[s.name for s in config.sellers],
                            config=config, state=RunState.STOPPED, started_at=datetime.now(UTC), max_rounds=10)
            for message in record.messages:
                rows.insert_message(conn, run_id, message)
            for offer in record.offers:
                rows.insert_offer(conn, run_id, offer)
            rows.bump_seq(conn, run_id, per_room * 3)
    return sid


async def scenario(per_room: int) -> dict:
    from negotiator_app.app import install_asyncgen_hooks, preload_session_modules, status_client_factory
    from negotiator_app.runtime import client_factory
    from negotiator_app.storage import Store
    from negotiator_app.storage.settings import load_settings
    from negotiator_app.ui.main_window import MainWindow
    from negotiator_app.ui.room.pane import OPENING_WINDOW
    from negotiator_app.ui.window_state import WindowState

    install_asyncgen_hooks(asyncio.get_running_loop())
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="negotiator-bench-stalls-") as tmp:
        store = Store.open(Path(tmp) / "bench.sqlite3")
        preload_session_modules()  # as the app does on the store's thread once the store is open
        sid = store_session(store, per_room)
        closed = "http://127.0.0.1:9/v1"
        window = MainWindow(store, load_settings(Path(tmp) / "settings.json"), client_factory(closed),
                            status_client_factory, base_url_override=closed,
                            window_state=WindowState(Path(tmp) / "window.ini"))
        window.resize(1600, 1000)
        window.show()
        gc.freeze()  # as the app does once its window has started
        await window.sidebar.loaded
        ticks = Ticks()
        try:
            async def open_session() -> None:
                await window.open_session(sid)
                await window.host.history_loaded
                await probe_paint(window.host.view.tabs.currentWidget())

            figures["open"] = await ticks.longest_stall_ms(open_session)
            panes = window.host.view.panes
            assert all(p.controls.buttons["resume"].isEnabled() for p in panes.values()), "every run is resumable"

            async def refresh_all() -> None:
                runs_stored = window.host.bridge.run_stored
                for key in panes:
                    runs_stored.emit(key, "")  # as the recorder's notices arrive after a write
                while window.host._tasks:
                    await asyncio.sleep(0.005)

            figures["refresh"] = await ticks.longest_stall_ms(refresh_all)

            async def to_grid() -> None:
                view = window.host.view
                view.set_grid_mode(True)
                for pane in view.panes.values():
                    await probe_paint(pane)
                while any(p.transcript.rendered_count() < OPENING_WINDOW or p.transcript.filling()
                          or p.transcript.waiting_count for p in view.panes.values()):
                    await asyncio.sleep(0.01)

            figures["grid"] = await ticks.longest_stall_ms(to_grid)
            started = time.perf_counter()
            for run in store.latest_runs(sid).values():  # what deciding Resume used to cost, on the GUI thread
                store.load_run(run.run_id)
            figures["old_refresh_ms"] = (time.perf_counter() - started) * 1000
        finally:
            await window.shutdown()
            window.deleteLater()
            store.close()
    return figures


def run_once(per_room: int) -> dict:
    import qasync

    from negotiator_app.app import application

    app = application()  # as the app has it: its garbage collection policy too
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(scenario(per_room))


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    per_room = int(argv[0]) if argv else 1000
    results = {}
    for variant, busy in (("quiet", False), ("one core busy", True)):
        load = load_average()
        if busy:
            with busy_core():
                time.sleep(0.5)
                results[variant] = run_once(per_room)
        else:
            results[variant] = run_once(per_room)
        f = results[variant]
        print_table(f"GUI stalls while reading ({variant}; {load}): 10 rooms × {per_room:,} stored messages", [
            ("open the session: longest stall (<50)", f"{f['open'][0]:.0f} ms  (GUI thread CPU at most "
             f"{f['open'][2]:.0f} ms between ticks; open took {f['open'][1]:.0f} ms)"),
            ("10 panes refresh: longest stall (<50)", f"{f['refresh'][0]:.0f} ms  (GUI thread CPU at most "
             f"{f['refresh'][2]:.0f} ms between ticks; all answered in {f['refresh'][1]:.0f} ms)"),
            ("switch to the grid: longest stall", f"{f['grid'][0]:.0f} ms  (GUI thread CPU at most "
             f"{f['grid'][2]:.0f} ms between ticks; all ten shown and filled in {f['grid'][1]:.0f} ms)"),
            ("the old Resume check (whole runs) would block", f"{f['old_refresh_ms']:.0f} ms"),
        ])
    return results


if __name__ == "__main__":
    main()
