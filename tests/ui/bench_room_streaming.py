"""Benchmark (not a test): ten room panes with 1,000 messages each while ~2,000 tokens/s stream into them.

Run: `QT_QPA_PLATFORM=offscreen uv run python -m tests.ui.bench_room_streaming`. Prints the share of
wall time the UI thread spends busy and the worst gap between event-loop turns (a frozen UI shows as a
large gap).
"""
from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime

import qasync
from PySide6.QtWidgets import QApplication

from negotiator_app.domain import Message, Role
from negotiator_app.engine import EventBus, MessageCompleted, MessageStarted, SessionEngine, TokenDelta
from negotiator_app.llm import LLMClient
from negotiator_app.ui.bridge import EngineBridge
from negotiator_app.ui.room import RoomPane
from tests.ui.room_support import config

ROOMS, HISTORY, SECONDS, TOKENS_PER_S = 10, 1000, 5.0, 2000


async def main() -> None:
    bus = EventBus()
    client = LLMClient("http://127.0.0.1:9/v1")
    engine = SessionEngine(config(), client, bus, model="m")
    runner = engine.rooms["room-1"]
    bridge = EngineBridge(bus)
    panes = []
    started = time.perf_counter()
    for i in range(ROOMS):
        pane = RoomPane(runner, bridge)
        pane.resize(900, 700)
        pane.show()
        pane._render_existing([Message(
            seq=seq, round=seq // 3, sender=("Pat", "Bolt", "Acme")[seq % 3], role=Role.SELLER if seq % 3 else Role.BUYER,
            recipients=["Pat"], text="A reasonably long chat message about cable prices and delivery. " * 2,
            created_at=datetime.now(UTC)) for seq in range(HISTORY)], [], [])
        panes.append(pane)
    print(f"built {ROOMS} panes x {HISTORY} messages in {time.perf_counter() - started:.1f} s")
    # Each pane listens to its own room key; give every pane a distinct channel by re-keying.
    for i, pane in enumerate(panes):
        channel = bridge.channel(f"bench-{i}")
        channel.event.connect(pane._on_event)
        channel.streamed.connect(pane._on_streamed)
    gaps: list[float] = []
    last = time.perf_counter()

    async def heartbeat() -> None:
        nonlocal last
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    beat = asyncio.ensure_future(heartbeat())
    for i in range(ROOMS):
        for stream in (1, 2, 3):
            bus.emit(MessageStarted(room=f"bench-{i}", run_id="r", stream_id=stream, sender="Bolt", role="seller",
                                    recipients=["Pat"], round=1))
    flush_time = 0.0
    flush = bridge.flush

    def timed_flush(room=None) -> None:
        nonlocal flush_time
        t0 = time.perf_counter()
        flush(room)
        flush_time += time.perf_counter() - t0

    bridge.flush = timed_flush
    bridge._timer.timeout.disconnect()
    bridge._timer.timeout.connect(timed_flush)
    begin = time.perf_counter()
    n = 0
    while (elapsed := time.perf_counter() - begin) < SECONDS:
        # Catch up to the target rate whatever the loop's timer granularity.
        while n < TOKENS_PER_S * elapsed:
            n += 1
            bus.emit(TokenDelta(room=f"bench-{n % ROOMS}", run_id="r", stream_id=1 + n % 3, text="word "))
        await asyncio.sleep(0.005)
    for i in range(ROOMS):
        for stream in (1, 2, 3):
            message = Message(seq=10_000 + stream, round=1, sender="Bolt", role=Role.SELLER, recipients=["Pat"],
                              text="done", created_at=datetime.now(UTC))
            bus.emit(MessageCompleted(room=f"bench-{i}", run_id="r", stream_id=stream, message=message))
    beat.cancel()
    gaps.sort()
    print(f"{n} deltas in {SECONDS:.0f} s ({n / SECONDS:.0f}/s) -> {bridge.flushes} flushes "
          f"({bridge.flushes / SECONDS:.0f}/s)")
    print(f"UI work applying the flushes: {flush_time:.2f} s of {SECONDS:.0f} s ({flush_time / SECONDS:.0%}); "
          "painting is extra")
    print(f"loop turn gap: median {gaps[len(gaps) // 2] * 1000:.1f} ms, p99 {gaps[int(len(gaps) * 0.99)] * 1000:.1f} ms, "
          f"max {gaps[-1] * 1000:.1f} ms (5 ms is an idle loop)")
    await client.aclose()


if __name__ == "__main__":
    app = QApplication(sys.argv)
    asyncio.run(main(), loop_factory=lambda: qasync.QEventLoop(app))
