"""Benchmark 2 — the UI under load: ten rooms streaming at once into the real window, offscreen.

Set-up: a real MainWindow (sidebar, SessionHost, SessionView, ten RoomPanes, the EngineBridge) on the
qasync loop, over a session of 10 rooms × 3 sellers in a SQLite file; each pane first shows a stored run
of HISTORY messages (1,000 by default). The storage recorder is unsubscribed: this measures the UI only
(the engine and the database have their own benchmarks).
Load: engine events are emitted on the session's bus as the engine would emit them — per room, three
sellers answer at once, each message ~60 tokens then MessageCompleted (and OfferMade for most) — at a
controlled total rate (2,000 tokens/s by default), by a feeder task that wakes every ~4 ms and catches up.
Measured, for the tab layout (one room visible, the default) and then the grid (all ten visible):
- event-loop health: a 10 ms precise QTimer records its ticks; the gaps between ticks (idle = 10 ms), and
  the GUI thread's CPU time within each gap (on a shared machine a gap also holds time the process was not
  running: this part is what the app's own work costs);
- token → document: from the token's emit on the bus until the pane has applied the flush;
- token → painted: until the next Paint of the transcript's viewport (visible panes only);
- the share of wall time the process spends on CPU;
- in tab mode, the cost of switching to a room that streamed while hidden.

Both variants run: on a quiet machine, and while another process keeps one core busy (a busy loop), as on a
laptop that also runs the model. The application is built as the app builds it (its garbage collection too).

Run: uv run python -m tests.benchmarks.bench_ui_streaming [seconds_per_layout] [history] [tokens_per_s]
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from negotiator_app.domain import Message, Offer, Role, SessionConfig, UsageInfo  # noqa: E402

ROOMS, SELLERS = 10, ("Bolt", "Acme", "Cogs")
BUYER = "Pat"
WORDS = ("price", "delivery", "cables", "discount", "today", "quality", "order", "per", "unit", "friend",
         "warranty", "shipping", "best", "offer", "can", "do", "the", "for", "you", "and")


def ten_room_config(rooms: int = ROOMS) -> SessionConfig:
    """Pat wants `rooms` items; three sellers stock every one of them (so each room has three sellers)."""
    items = [f"Item {i + 1:02d}" for i in range(rooms)]
    stock = [{"name": n, "cost_price": 2, "least_price": 5, "selling_price": 10, "quantity_available": 50}
             for n in items]
    return SessionConfig.model_validate({
        "name": "UI benchmark",
        "buyer": {"name": BUYER, "items": [{"name": n, "quantity": 10, "min_price": 3, "max_price": 8} for n in items]},
        "sellers": [{"name": s, "inventory": stock} for s in SELLERS],
        "llm": {"max_rounds": 10},
    })


def message_text(seq: int) -> str:
    """A chat line of 100-300 characters (deterministic)."""
    n = 18 + (seq * 7919) % 36
    return " ".join(WORDS[(seq * 31 + i * 17) % len(WORDS)] for i in range(n)).capitalize() + "."


def history(count: int, *, with_offers: bool = True) -> SimpleNamespace:
    """A stored run of `count` messages as RoomPane.load_history takes it (buyer, then three sellers, ...)."""
    now = datetime.now(UTC)
    messages, offers = [], []
    for seq in range(1, count + 1):
        buyer = seq % 4 == 1
        sender = BUYER if buyer else SELLERS[seq % 4 - 2]
        messages.append(Message(seq=seq, round=1 + seq // 4, sender=sender, role=Role.BUYER if buyer else Role.SELLER,
                                recipients=list(SELLERS) if buyer else [BUYER], text=message_text(seq), created_at=now,
                                usage=UsageInfo(prompt_tokens=900, completion_tokens=60, tokens_per_s=35.0)))
        if with_offers and not buyer:
            offers.append(Offer(seller=sender, price_per_unit=9.0 - (seq % 40) / 10, quantity=10, round=1 + seq // 4,
                                message_seq=seq))
    return SimpleNamespace(messages=messages, offers=offers, violations=[], outcome=None, state="stopped",
                           rounds=count // 4)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


class Probe:
    """Records loop ticks, token emit times, when each room's flush reached the document and its paint."""

    def __init__(self, panes: dict) -> None:
        from PySide6.QtCore import QEvent, QObject, Qt, QTimer

        self.ticks: list[float] = []
        self.cpu_ticks: list[float] = []  # the GUI thread's CPU time at each tick: what our own work costs
        self.doc_latency: list[float] = []
        self.paint_latency: list[float] = []
        self.flush_cost: list[float] = []
        self._pending: dict[str, deque] = {key: deque() for key in panes}  # emitted, not in the document yet
        self._unpainted: dict[str, list[float]] = {key: [] for key in panes}  # in the document, not painted
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)
        probe = self

        class PaintFilter(QObject):
            def __init__(self, key: str) -> None:
                super().__init__()
                self.key = key

            def eventFilter(self, _obj, event) -> bool:  # noqa: N802 - Qt override
                if event.type() == QEvent.Type.Paint:
                    probe._painted(self.key)
                return False

        self._filters = []
        for key, pane in panes.items():
            f = PaintFilter(key)
            pane.transcript.viewport().installEventFilter(f)
            self._filters.append(f)

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())
        self.cpu_ticks.append(time.thread_time())

    def start(self) -> None:
        self.ticks.clear()
        self.cpu_ticks.clear()
        self.doc_latency.clear()
        self.paint_latency.clear()
        for q in self._pending.values():
            q.clear()
        for q in self._unpainted.values():
            q.clear()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def emitted(self, room: str, at: float) -> None:
        self._pending[room].append(at)

    def applied(self, room: str) -> None:
        """Called after the pane has applied a flush of `room` (a slot connected after the pane's)."""
        now = time.perf_counter()
        pending, unpainted = self._pending[room], self._unpainted[room]
        while pending:
            at = pending.popleft()
            self.doc_latency.append(now - at)
            unpainted.append(at)

    def _painted(self, room: str) -> None:
        now = time.perf_counter()
        unpainted = self._unpainted[room]
        self.paint_latency.extend(now - at for at in unpainted)
        unpainted.clear()

    def gaps_ms(self) -> list[float]:
        return [(b - a) * 1000 for a, b in zip(self.ticks, self.ticks[1:])]

    def busy_ms(self) -> list[float]:
        """The GUI thread's CPU time between ticks: a gap our own work caused, not the scheduler (on a loaded
        machine a gap can also be time the thread was not running)."""
        return [(b - a) * 1000 for a, b in zip(self.cpu_ticks, self.cpu_ticks[1:])]

    def not_painted(self) -> int:
        return sum(len(v) for v in self._unpainted.values())


async def probe_paint(pane, timeout: float = 10.0) -> None:
    """Wait (on the running loop) until the pane's transcript has been painted once more."""
    from PySide6.QtCore import QEvent, QObject

    done = asyncio.get_running_loop().create_future()

    class Once(QObject):
        def eventFilter(self, _obj, event) -> bool:  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint and not done.done():
                done.set_result(None)
            return False

    once = Once()
    viewport = pane.transcript.viewport()
    viewport.installEventFilter(once)
    viewport.update()
    try:
        await asyncio.wait_for(done, timeout)
    finally:
        viewport.removeEventFilter(once)


async def feed(bus, rooms: list[str], run_ids: dict[str, str], seconds: float, rate: float, probe: Probe,
               tokens_per_message: int = 60) -> int:
    """Emit MessageStarted / TokenDelta / MessageCompleted / OfferMade events at `rate` tokens/s in total."""
    from negotiator_app.engine import MessageCompleted, MessageStarted, OfferMade, TokenDelta

    streams = []  # (room, seller slot): each its own stream, round-robin
    next_stream = 1_000_000
    state: dict[tuple[str, int], dict] = {}
    seq = 100_000

    def open_stream(room: str, slot: int) -> None:
        nonlocal next_stream
        next_stream += 1
        sender = SELLERS[slot]
        state[(room, slot)] = {"id": next_stream, "words": [], "sender": sender}
        bus.emit(MessageStarted(room=room, run_id=run_ids[room], stream_id=next_stream, sender=sender, role="seller",
                                recipients=[BUYER], round=1))

    def close_stream(room: str, slot: int) -> None:
        nonlocal seq
        s = state[(room, slot)]
        seq += 1
        message = Message(seq=seq, round=1, sender=s["sender"], role=Role.SELLER, recipients=[BUYER],
                          text="".join(s["words"]).strip(), created_at=datetime.now(UTC),
                          usage=UsageInfo(completion_tokens=len(s["words"]), tokens_per_s=30.0))
        bus.emit(MessageCompleted(room=room, run_id=run_ids[room], stream_id=s["id"], message=message))
        if seq % 3:
            bus.emit(OfferMade(room=room, run_id=run_ids[room], offer=Offer(
                seller=s["sender"], price_per_unit=9.0 - (seq % 40) / 10, quantity=10, round=1, message_seq=seq)))

    for room in rooms:
        for slot in range(len(SELLERS)):
            streams.append((room, slot))
            open_stream(room, slot)
    begin = time.perf_counter()
    n = 0
    while (elapsed := time.perf_counter() - begin) < seconds:
        while n < rate * elapsed:
            room, slot = streams[n % len(streams)]
            s = state[(room, slot)]
            word = WORDS[(n * 13) % len(WORDS)] + " "
            s["words"].append(word)
            now = time.perf_counter()
            probe.emitted(room, now)
            bus.emit(TokenDelta(room=room, run_id=run_ids[room], stream_id=s["id"], text=word))
            n += 1
            if len(s["words"]) >= tokens_per_message + (n % 7) * 5:
                close_stream(room, slot)
                open_stream(room, slot)
        await asyncio.sleep(0.004)
    for room, slot in streams:
        close_stream(room, slot)
    return n


async def measure_layout(name: str, window, view, bus, run_ids, seconds: float, rate: float, probe: Probe) -> dict:
    bridge = view.bridge
    await asyncio.sleep(0.5)  # let the layout switch settle (never processEvents() inside a task)
    deltas0, flushes0 = bridge.deltas, bridge.flushes
    probe.start()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    n = await feed(bus, list(view.panes), run_ids, seconds, rate, probe)
    await asyncio.sleep(0.2)  # the last flush and paint
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    probe.stop()
    gaps = probe.gaps_ms()
    busy = probe.busy_ms()
    row = {
        "layout": name,
        "tokens/s": n / seconds,
        "flushes/s": (bridge.flushes - flushes0) / seconds,
        "cpu": cpu / wall,
        "gap_p50": percentile(gaps, 0.50),
        "gap_p99": percentile(gaps, 0.99),
        "gap_max": max(gaps),
        "busy_p99": percentile(busy, 0.99),
        "busy_max": max(busy),
        "doc_p50": percentile(probe.doc_latency, 0.50) * 1000,
        "doc_p99": percentile(probe.doc_latency, 0.99) * 1000,
        "doc_max": max(probe.doc_latency, default=float("nan")) * 1000,
        "paint_p50": percentile(probe.paint_latency, 0.50) * 1000,
        "paint_p99": percentile(probe.paint_latency, 0.99) * 1000,
        "paint_max": max(probe.paint_latency, default=float("nan")) * 1000,
        "painted": len(probe.paint_latency),
        "doc_tokens": len(probe.doc_latency),
    }
    assert bridge.deltas - deltas0 == n
    return row


async def scenario(seconds: float, history_size: int, rate: float) -> tuple[list[dict], dict]:

    from negotiator_app.app import install_asyncgen_hooks, status_client_factory
    from negotiator_app.runtime import client_factory
    from negotiator_app.storage import Store
    from negotiator_app.storage.settings import load_settings
    from negotiator_app.ui.window_state import WindowState
    from negotiator_app.ui.main_window import MainWindow

    install_asyncgen_hooks(asyncio.get_running_loop())
    info: dict = {}
    with tempfile.TemporaryDirectory(prefix="negotiator-bench-ui-") as tmp:
        store = Store.open(Path(tmp) / "bench.sqlite3")
        sid = store.create_session(ten_room_config()).id
        closed = "http://127.0.0.1:9/v1"  # nothing listens: the connection monitor just reports "not running"
        window = MainWindow(store, load_settings(Path(tmp) / "settings.json"), client_factory(closed),
                            status_client_factory, base_url_override=closed,
                            window_state=WindowState(Path(tmp) / "window.ini"))
        window.resize(1600, 1000)
        window.show()
        window.start()
        try:
            await window.open_session(sid)
            runtime, view = window.host.runtime, window.host.view
            runtime.bus._listeners.remove(runtime.recorder.handle)  # no recorder: the UI alone is measured
            record = history(history_size)
            started = time.perf_counter()
            for pane in view.panes.values():
                pane.load_history(record)
            await probe_paint(view.tabs.currentWidget())
            info["load_s"] = time.perf_counter() - started
            # Every room is "negotiating" (as after Resume): the controls see a running task, as they would.
            from negotiator_app.domain import RunState
            loop = asyncio.get_running_loop()
            for key, runner in runtime.engine.rooms.items():
                runner.run_id, runner.state, runner.task = f"bench-{key}", RunState.RUNNING, loop.create_future()
            run_ids = {key: runner.run_id for key, runner in runtime.engine.rooms.items()}
            probe = Probe(view.panes)
            for key in view.panes:  # after the pane's own slot: the probe sees the flush once it is applied
                view.bridge.channel(key).streamed.connect(lambda _batch, key=key: probe.applied(key))
            rows = [await measure_layout("tabs (1 visible)", window, view, runtime.bus, run_ids, seconds, rate, probe)]
            info["tabs_unpainted_tokens"] = probe.not_painted()
            # Switching to a room that streamed while hidden: what the person waits for.
            switch = []
            for index in (3, 6, 9):
                started = time.perf_counter()
                view.tabs.setCurrentIndex(index)
                await probe_paint(view.tabs.currentWidget())
                switch.append((time.perf_counter() - started) * 1000)
            info["tab_switch_ms"] = switch
            view.tabs.setCurrentIndex(0)
            started = time.perf_counter()
            view.set_grid_mode(True)
            await probe_paint(list(view.panes.values())[-1])
            info["to_grid_ms"] = (time.perf_counter() - started) * 1000
            rows.append(await measure_layout("grid (10 visible)", window, view, runtime.bus, run_ids, seconds, rate,
                                             probe))
        finally:
            if window.host.runtime is not None:
                for runner in window.host.runtime.engine.rooms.values():
                    runner.task = None
                window.host.runtime.bus.subscribe(window.host.runtime.recorder.handle)
            await window.shutdown()
            window.deleteLater()
            store.close()
    return rows, info


def report(rows: list[dict], info: dict, history_size: int, rate: float) -> None:
    from tests.benchmarks.common import print_table

    print_table(f"UI under load: {ROOMS} rooms × 3 streams, {history_size} stored messages per room, "
                f"{rate:,.0f} tokens/s in total",
                [("history loaded into 10 panes", f"{info['load_s']:.2f} s")])
    header = ["layout", "tok/s", "flush/s", "CPU", "gap p50", "gap p99 (<20)", "gap max (<50)",
              "CPU/gap p99", "max", "tok→doc p99", "tok→paint p50", "p99 (<100)", "max"]
    lines = [header]
    for r in rows:
        lines.append([r["layout"], f"{r['tokens/s']:,.0f}", f"{r['flushes/s']:.0f}", f"{r['cpu']:.0%}",
                      f"{r['gap_p50']:.1f} ms", f"{r['gap_p99']:.1f} ms", f"{r['gap_max']:.1f} ms",
                      f"{r['busy_p99']:.1f} ms", f"{r['busy_max']:.1f} ms",
                      f"{r['doc_p99']:.0f} ms", f"{r['paint_p50']:.0f} ms", f"{r['paint_p99']:.0f} ms",
                      f"{r['paint_max']:.0f} ms"])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print()
    for line in lines:
        print("  " + "  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(line, widths))))
    print("\n  switching to a tab that streamed while hidden: "
          + ", ".join(f"{ms:.0f} ms" for ms in info["tab_switch_ms"])
          + f"; tabs → grid: {info['to_grid_ms']:.0f} ms")
    print("  (gaps: between ticks of a 10 ms timer, idle = 10 ms; CPU/gap: the GUI thread's CPU time in a gap, the "
          "part of it our own work causes; tok→paint: emit on the bus → next paint of the pane showing it)")


def main(argv: list[str] | None = None) -> tuple[list[dict], dict]:
    import qasync

    from negotiator_app.app import application

    argv = sys.argv[1:] if argv is None else argv
    seconds = float(argv[0]) if len(argv) > 0 else 8.0
    history_size = int(argv[1]) if len(argv) > 1 else 1000
    rate = float(argv[2]) if len(argv) > 2 else 2000.0
    from tests.benchmarks.common import busy_core, load_average

    app = application()  # as the app has it: its garbage collection policy too
    results = {}
    for variant in ("quiet", "one core busy"):
        load = load_average()
        with busy_core() if variant != "quiet" else contextlib.nullcontext():
            with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
                rows, info = runner.run(scenario(seconds, history_size, rate))
        print(f"\n[{variant}; {load} before the run]")
        report(rows, info, history_size, rate)
        results[variant] = (rows, info)
    return results["quiet"]


if __name__ == "__main__":
    main()
