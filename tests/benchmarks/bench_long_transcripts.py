"""Benchmark 3 — long transcripts: opening a stored run in a pane, and streaming into a room that already
holds 100, 1,000 or 5,000 messages. Appending must cost the same whatever the transcript's length.

Set-up: one real RoomPane (with its EngineBridge) in a shown 1,100 × 800 window, offscreen, on the qasync
loop; stored runs come from bench_ui_streaming.history() (messages of 100-300 characters, most sellers'
messages with an offer).
- open: `pane.load_history(run)` until its first paint; then the longest stall in the next 0.5 s
  (work Qt may defer, such as laying out the rest of the document);
- append: a token flushed through the bridge into a streaming message (applied in the document) and the
  repaint that shows it, median of 200 flushes; a whole message (MessageStarted → MessageCompleted +
  OfferMade), median of 20;
- the number of messages the document actually holds (the rest on scroll-up, if the view pages them).

Run: uv run python -m tests.benchmarks.bench_long_transcripts [sizes, e.g. 100,1000,5000]
"""
from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.benchmarks.bench_ui_streaming import BUYER, history, probe_paint, ten_room_config  # noqa: E402

SIZES = (100, 1000, 5000)


async def one_size(size: int) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from negotiator_app.domain import Message, Offer, Role, RunState
    from negotiator_app.engine import EventBus, MessageCompleted, MessageStarted, OfferMade, SessionEngine, TokenDelta
    from negotiator_app.llm import LLMClient
    from negotiator_app.ui.bridge import EngineBridge
    from negotiator_app.ui.room import RoomPane

    bus = EventBus()
    client = LLMClient("http://127.0.0.1:9/v1")
    engine = SessionEngine(ten_room_config(1), client, bus, model="m")
    runner = next(iter(engine.rooms.values()))
    # Only the pane's rendering is measured: the bridge hears the bus directly, no runtime or recorder behind it.
    bridge = EngineBridge(SimpleNamespace(subscribe=bus.subscribe))
    host = QWidget()
    pane = RoomPane(runner, bridge, host)
    QVBoxLayout(host).addWidget(pane)
    host.resize(1100, 800)
    host.show()
    await probe_paint(pane)
    record = history(size)
    row: dict = {"size": size}

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

    started = time.perf_counter()
    pane.load_history(record)
    row["load"] = time.perf_counter() - started
    await probe_paint(pane)
    row["open"] = time.perf_counter() - started
    timer.start()
    await asyncio.sleep(0.5)
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])] or [0.0]
    row["after_open_max_gap"] = max([gaps[0], *gaps, ticks[0] - started - row["open"] if ticks else 0.0])

    # The room streams now (as a resumed run would): the controls see a running task.
    runner.run_id, runner.state, runner.task = "bench", RunState.RUNNING, asyncio.get_running_loop().create_future()
    viewport = pane.transcript.viewport()
    seq = 1_000_000

    def message(stream: int, text: str) -> Message:
        return Message(seq=seq, round=1, sender="Bolt", role=Role.SELLER, recipients=[BUYER], text=text,
                       created_at=datetime.now(UTC))

    whole: list[float] = []
    for stream in range(1, 21):
        seq += 1
        t0 = time.perf_counter()
        bus.emit(MessageStarted(room=runner.key, run_id="bench", stream_id=stream, sender="Bolt", role="seller",
                                recipients=[BUYER], round=1))
        bus.emit(TokenDelta(room=runner.key, run_id="bench", stream_id=stream, text="A short reply. "))
        bus.emit(MessageCompleted(room=runner.key, run_id="bench", stream_id=stream,
                                  message=message(stream, "A short reply.")))
        bus.emit(OfferMade(room=runner.key, run_id="bench", offer=Offer(seller="Bolt", price_per_unit=7.5, quantity=10,
                                                                        round=1, message_seq=seq)))
        viewport.repaint()
        whole.append(time.perf_counter() - t0)
        await asyncio.sleep(0)
    row["message"] = statistics.median(whole)

    stream = 99
    bus.emit(MessageStarted(room=runner.key, run_id="bench", stream_id=stream, sender="Bolt", role="seller",
                            recipients=[BUYER], round=1))
    bridge.flush()
    viewport.repaint()
    apply, paint = [], []
    for i in range(200):
        bus.emit(TokenDelta(room=runner.key, run_id="bench", stream_id=stream, text=f"word{i} "))
        t0 = time.perf_counter()
        bridge.flush()
        t1 = time.perf_counter()
        viewport.repaint()
        t2 = time.perf_counter()
        apply.append(t1 - t0)
        paint.append(t2 - t1)
        if i % 20 == 0:
            await asyncio.sleep(0)  # let Qt run its posted events (scrolling, layout requests) now and then
    row["apply"] = statistics.median(apply)
    row["paint"] = statistics.median(paint)
    row["apply_p99"] = sorted(apply)[int(len(apply) * 0.99)]
    row["in_document"] = pane.transcript.rendered_count() if hasattr(pane.transcript, "rendered_count") else len(pane.transcript.bubbles())
    row["followed"] = pane.transcript.verticalScrollBar().value() == pane.transcript.verticalScrollBar().maximum()

    runner.task = None
    bridge.close()
    host.close()
    host.deleteLater()
    await client.aclose()
    await asyncio.sleep(0)
    return row


async def scenario(sizes) -> list[dict]:
    return [await one_size(size) for size in sizes]


def main(argv: list[str] | None = None) -> list[dict]:
    import qasync
    from PySide6.QtWidgets import QApplication

    argv = sys.argv[1:] if argv is None else argv
    sizes = tuple(int(s) for s in argv[0].split(",")) if argv else SIZES
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)  # closing one size's window must not stop the loop
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        rows = runner.run(scenario(sizes))
    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731
    header = ["messages", "open→painted", "(load_history)", "stall after", "token apply", "p99", "token paint",
              "whole message", "items in doc"]
    lines = [header] + [[f"{r['size']:,}", ms(r["open"]), ms(r["load"]), ms(r["after_open_max_gap"]), ms(r["apply"]),
                         ms(r["apply_p99"]), ms(r["paint"]), ms(r["message"]), f"{r['in_document']:,}"] for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print("\nLong transcripts: one room pane, 1,100 × 800, stored run of N messages\n" + "-" * 70)
    for line in lines:
        print("  " + "  ".join(cell.rjust(w) for cell, w in zip(line, widths)))
    base = rows[0]
    for r in rows[1:]:
        print(f"  {r['size']:,} vs {base['size']:,} messages: open ×{r['open'] / base['open']:.1f}, "
              f"token apply ×{r['apply'] / base['apply']:.1f}, token paint ×{r['paint'] / base['paint']:.1f}, "
              f"whole message ×{r['message'] / base['message']:.1f}")
    return rows


if __name__ == "__main__":
    main()
