"""Benchmark 1 — engine overhead: a full session against the fake LM Studio, engine + client + storage.

Method. The fake server runs in a separate process, so this process only does the app's own work: the
engine loop, the HTTP client parsing SSE, the event bus and the recorder writing to a real SQLite file
(its writer thread included). Its CPU time (`time.process_time()`, all threads) is therefore all the time
the app is not waiting for the server; CPU ÷ wall is the share of wall time spent outside waiting (an upper
bound: the recorder thread's CPU can overlap the loop's).

1. No delay: 3 rooms × 10 sellers × 10 rounds, as fast as the fake answers — wall, CPU, requests/s.
2. Realistic speed: 50 tokens/s per stream (one fake delta ≈ one token, 20 ms apart), 4 parallel slots
   (the engine's limiter, as LM Studio's default), 3 rooms × 10 sellers × 3 rounds, ~30-token replies.
   Goal: under 2 %. Two readings are printed:
   - CPU ÷ wall (all of this process's work, whether or not anything waits on it), and
   - the critical-path share: per room, the time in which the room has no request queued for or running
     on the server (it is busy in the engine, the client or the recorder, and nothing else is happening
     for it), divided by the room's wall time. Measured by wrapping the shared limiter's `slot()`, which
     every request holds from queueing until its stream is closed.

Run: uv run python -m tests.benchmarks.bench_engine
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
import tempfile
import time
from pathlib import Path

from negotiator_app.engine import EventBus, MessageStarted, SessionEngine
from negotiator_app.llm import LLMClient
from negotiator_app.storage import Recorder, Store
from tests.benchmarks.common import fake_server, print_table
from tests.engine.support import make_config

GOAL = 0.02


async def _session(base_url: str, rounds: int, db: Path) -> dict:
    config = make_config(10, items=3, rounds=rounds, concurrency=4)
    store = Store.open(db)
    session_id = store.create_session(config).id
    client = LLMClient(base_url)
    bus = EventBus()
    recorder = Recorder(store, session_id, config)
    bus.subscribe(recorder.handle)
    events = {"n": 0, "requests": 0}

    def count(event) -> None:
        events["n"] += 1
        events["requests"] += isinstance(event, MessageStarted)
    bus.subscribe(count)
    engine = SessionEngine(config, client, bus)
    waiting = _track_waiting(engine)
    await client.list_models()  # warm the connection pool, as the app's status probe does
    wall0, cpu0 = time.perf_counter(), time.process_time()
    tasks = engine.start_all()
    ended: dict[str, float] = {}
    for key, task in zip(engine.rooms, tasks):
        task.add_done_callback(lambda _t, key=key: ended.__setitem__(key, time.perf_counter()))
    states = await asyncio.gather(*tasks)
    await recorder.flush()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    room_walls = {key: ended[key] - wall0 for key in engine.rooms}  # rooms finish at different times
    outside = sum(room_walls[key] - _union(intervals) for key, intervals in waiting.items())
    critical = outside / sum(room_walls.values())
    messages = sum(len(r.transcript) for r in engine.rooms.values())
    requests = events["requests"]
    await client.aclose()
    recorder.close()
    stored = sum(len(store.load_run(r.run_id).messages) for r in engine.rooms.values())
    store.close()
    assert stored == messages, "the recorder lost messages"
    return {"wall": wall, "cpu": cpu, "critical": critical, "requests": requests, "messages": messages, "events": events["n"],
            "states": sorted({s.value for s in states})}


def _track_waiting(engine: SessionEngine) -> dict[str, list[tuple[float, float]]]:
    """Per room, the intervals during which one of its requests was queued for or held a server slot."""
    intervals: dict[str, list[tuple[float, float]]] = {key: [] for key in engine.rooms}
    original = engine.limiter.slot

    @asynccontextmanager
    async def slot(room: str):
        start = time.perf_counter()
        try:
            async with original(room):
                yield
        finally:
            intervals[room].append((start, time.perf_counter()))

    engine.limiter.slot = slot
    return intervals


def _union(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def run(rounds: int, delay_s: float, words: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp, fake_server(delay_s, words) as url:
        return asyncio.run(_session(url, rounds, Path(tmp) / "bench.sqlite3"))


def main() -> dict:
    fast = run(rounds=10, delay_s=0.0, words=12)
    print_table("Engine overhead, no server delay (3 rooms x 10 sellers x 10 rounds)", [
        ("requests", f"{fast['requests']}  ({fast['messages']} messages, {fast['events']} events, "
                     f"runs {'/'.join(fast['states'])})"),
        ("wall time", f"{fast['wall']:.2f} s"),
        ("CPU time (this process)", f"{fast['cpu']:.2f} s"),
        ("requests per second", f"{fast['requests'] / fast['wall']:.0f}"),
        ("CPU per request", f"{1000 * fast['cpu'] / fast['requests']:.2f} ms"),
    ])
    real = run(rounds=3, delay_s=0.02, words=24)
    share = real["cpu"] / real["wall"]
    print_table("Engine overhead at 50 tokens/s per stream, 4 slots (3 rooms x 10 sellers x 3 rounds)", [
        ("requests", f"{real['requests']}"),
        ("wall time", f"{real['wall']:.2f} s"),
        ("CPU time (this process)", f"{real['cpu']:.2f} s"),
        ("CPU ÷ wall", f"{100 * share:.2f} %"),
        ("critical path outside waiting", f"{100 * real['critical']:.2f} %  (goal < {100 * GOAL:.0f} %: "
                                          f"{'met' if real['critical'] < GOAL else 'MISSED'})"),
    ])
    return {"fast": fast, "real": real, "share": share}


if __name__ == "__main__":
    main()
