"""Benchmark — the engine's CPU per streamed chunk at scale, next to a bare asyncio reader's on the same streams.

Method. A shared inference server with many slots is played by the fake LM Studio in its own process (so its
CPU is not counted here), answering every chat request as a stream of one-word SSE events, DELAY_S apart.
In one run, five phases use the same server settings and 32 parallel streams:

1. bare asyncio: 32 workers, each a minimal HTTP/1.1 client on `asyncio.open_connection` (one keep-alive
   connection each, chunked decoding, SSE lines split, nothing parsed), requesting seller replies back to back;
2. bare httpx: the same with `httpx.AsyncClient.stream()` and `aiter_bytes()`, for reference;
3. the app's LLM client alone (`LLMClient.complete`, every event parsed into the reply), for the breakdown;
4. the engine: an experiment of 100 runs (2 arms × 50, every agent a model; 4 sellers × 3 rounds each) through
   the experiment runner — session runtime, engine, client, event bus, recorder writing a SQLite file — with a
   request budget of 32 and enough runs at once to keep every slot asked for (after 2 unmeasured runs that
   import and warm up what the others reuse);
5. bare asyncio again (the machine is shared: the two bare readings bracket the engine's).

The CPU per chunk is this process's CPU time (`time.process_time()`, all threads, the store's writer thread
included) divided by the SSE events the server sent in that phase. Goal: the engine's ≤ 1.5 × the bare
asyncio reader's. Also printed: memory (RSS) after 25/50/75/100 runs (goal: flat), and whether a request
waited on the engine while a server slot was free: the server's own count of requests in flight, lined up
(same monotonic clock) with the times at which requests stood queued in the engine's request budget; a slot
idle while a request is queued is the engine's latency (reading the end of a stream, releasing the slot,
building and sending the next request).

Run: uv run python -m tests.benchmarks.bench_chunks [RUNS]
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from negotiator_app.engine.limiter import FairLimiter
from negotiator_app.experiments.runner import ExperimentRunner, Progress, create_experiment
from negotiator_app.experiments.spec import load_experiment
from negotiator_app.llm import ChatRequest, LLMClient
from negotiator_app.runtime import client_factory
from negotiator_app.storage import Store
from tests.benchmarks.common import ROOT, load_average, print_table
from tests.engine.support import make_config

STREAMS = 32
DELAY_S = 0.015  # between a stream's events: ~65 chunks/s per stream, ~2,100/s with 32 streams
WORDS = 24  # a seller's message: ~35 SSE events per reply
SELLERS, ROUNDS = 4, 3
PARALLEL_RUNS = 24  # a run asks for ~2.5 slots on average (the buyer alone, then its sellers together)
BARE_REQUESTS = 8  # per bare worker
GOAL = 1.5


@contextmanager
def counting_server():
    """The fake server with --stats; yields (base URL, stats dict filled in when the block ends)."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.benchmarks.fake_server", str(DELAY_S), str(WORDS), "--stats"],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    stats: dict = {}
    try:
        assert proc.stdout is not None and proc.stdin is not None
        yield proc.stdout.readline().strip(), stats
        proc.stdin.close()
        stats.update(json.loads(proc.stdout.readline()))
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def seller_body() -> bytes:
    """A request the fake answers like the engine's seller turns (a WORDS-word pitch with an offer)."""
    return json.dumps({
        "model": "fake-model", "temperature": 0.7, "max_tokens": 200, "stream": True,
        "stream_options": {"include_usage": True},
        "messages": [{"role": "system", "content": "You are Seller A, a seller of widgets."},
                     {"role": "user", "content": "[Round 1 of 3. This round, do not go below 70.00 per unit.]"}],
    }).encode()


# ----- bare readers -------------------------------------------------------------------------------------------

async def _asyncio_worker(host: str, port: int, body: bytes) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    request = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    for _ in range(BARE_REQUESTS):
        writer.write(request)
        while (await reader.readline()) not in (b"\r\n", b""):
            pass  # status line and headers
        done = False
        while not done:
            size = int((await reader.readline()).strip(), 16)
            data = await reader.readexactly(size + 2)
            if size == 0:
                break
            for line in data.split(b"\n"):
                if line == b"data: [DONE]":
                    done = True
        if done:
            assert await reader.readexactly(5) == b"0\r\n\r\n"
    writer.close()
    await writer.wait_closed()


async def _httpx_worker(client: httpx.AsyncClient, url: str, body: bytes) -> None:
    for _ in range(BARE_REQUESTS):
        async with client.stream("POST", url, content=body, headers={"content-type": "application/json"}) as reply:
            async for _chunk in reply.aiter_bytes():
                pass


async def _client_worker(client: LLMClient, chat: ChatRequest) -> None:
    for _ in range(BARE_REQUESTS):
        await client.complete(chat, on_content=lambda text: None)


async def _bare(kind: str, base_url: str) -> None:
    body = seller_body()
    if kind == "client":  # the app's own client (parsing every event into a reply), without the engine
        messages = json.loads(body)["messages"]
        chat = ChatRequest(model="fake-model", messages=messages, stream=True, json_schema={"type": "object"})
        async with LLMClient(base_url) as client:
            await asyncio.gather(*(_client_worker(client, chat) for _ in range(STREAMS)))
        return
    if kind == "asyncio":
        parts = urlsplit(base_url)
        await asyncio.gather(*(_asyncio_worker(parts.hostname or "", parts.port or 80, body) for _ in range(STREAMS)))
        return
    limits = httpx.Limits(max_connections=STREAMS, max_keepalive_connections=STREAMS)
    async with httpx.AsyncClient(timeout=None, limits=limits) as client:
        url = f"{base_url}/chat/completions"
        await asyncio.gather(*(_httpx_worker(client, url, body) for _ in range(STREAMS)))


def bare(kind: str) -> dict:
    with counting_server() as (url, stats):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        asyncio.run(_bare(kind, url))
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        load = load_average()
    return {"wall": wall, "cpu": cpu, "chunks": stats["chunks"], "load": load, "idle": steady_idle(stats["in_flight"])}


def steady_idle(server: list[list[float]]) -> float:
    """A bare reader always has its next request ready: the server's idle slot time per request between the
    first and the last moment all slots were busy is the hand-over cost of the server and a minimal client."""
    full = [i for i, (_, n) in enumerate(server) if n == STREAMS]
    if len(full) < 2:
        return 0.0
    window = server[full[0]: full[-1] + 1]
    idle = sum((t2 - t1) * (STREAMS - n) for (t1, n), (t2, _) in zip(window, window[1:]))
    starts = sum(1 for (_, before), (_, after) in zip(window, window[1:]) if after > before)
    return 1000 * idle / starts if starts else 0.0


# ----- the engine ---------------------------------------------------------------------------------------------

class _QueueLog(FairLimiter):
    """The experiment's request budget, logging (monotonic time, requests queued in it) at every change."""

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.queued = 0
        self.changes: list[tuple[float, int]] = []

    async def _acquire(self, room: str) -> None:
        if self.in_use < self.capacity and not self._waiting:
            await super()._acquire(room)  # a free slot: taken at once, nothing queued
            return
        self._note(+1)
        try:
            await super()._acquire(room)
        finally:
            self._note(-1)  # once the task runs again: a slot handed over but not yet used still counts

    def _note(self, step: int) -> None:
        self.queued += step
        self.changes.append((time.monotonic(), self.queued))


def engine(runs: int, *, warm_up: bool = True) -> dict:
    if warm_up:  # the first run imports and compiles what the others reuse: not a cost per chunk
        engine(2, warm_up=False)
    with tempfile.TemporaryDirectory() as folder, counting_server() as (url, stats):
        root = Path(folder)
        config = make_config(SELLERS, rounds=ROUNDS, concurrency=STREAMS)
        scenario = config.model_dump(mode="json")
        scenario["llm"]["base_url"] = url
        (root / "scenario.json").write_text(json.dumps(scenario))
        (root / "experiment.json").write_text(json.dumps({
            "name": "chunks", "scenario": "scenario.json", "repetitions": runs // 2, "parallel_runs": PARALLEL_RUNS,
            "arms": [{"name": "cool", "temperature": 0.5}, {"name": "warm", "temperature": 0.9}]}))
        memory: dict[int, float] = {}

        def progress(p: Progress) -> None:
            if p.done and p.done % max(1, runs // 4) == 0 and p.done not in memory:
                memory[p.done] = rss_mb()

        with Store.open(root / "db.sqlite3") as store:
            experiment_id = create_experiment(store, load_experiment(root / "experiment.json"))
            runner = ExperimentRunner(store, experiment_id, client_factory(), on_progress=progress)
            runner.limiter = budget = _QueueLog(STREAMS)  # the scenario's request budget, logged
            memory[0] = rss_mb()
            wall0, cpu0 = time.perf_counter(), time.process_time()
            result, loop_cpu = asyncio.run(_timed(runner))
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            load = load_average()
    assert result.status == "finished", result
    return {"wall": wall, "cpu": cpu, "loop_cpu": loop_cpu, "chunks": stats["chunks"], "load": load, "memory": memory,
            "idle": idle_slots(stats["in_flight"], budget.changes)}


async def _timed(runner: ExperimentRunner):
    """The result, and the CPU time of the event loop's thread alone (the rest is the store's event writer thread
    and the executor's store calls)."""
    started = time.thread_time()
    result = await runner.run()
    return result, time.thread_time() - started


def idle_slots(server: list[list[float]], queued: list[tuple[float, int]]) -> dict:
    """Integrates, over the time requests stood queued in the engine, the server's free slots."""
    marks = sorted([(t, "s", n) for t, n in server] + [(t, "q", n) for t, n in queued])
    in_flight = waiting = 0
    last = marks[0][0] if marks else 0.0
    queued_s = free_s = slot_s = 0.0
    for t, kind, n in marks:
        span = t - last
        if waiting > 0:
            queued_s += span
            slot_s += span * max(0, STREAMS - in_flight)
            free_s += span if in_flight < STREAMS else 0.0
        last = t
        if kind == "s":
            in_flight = int(n)
        else:
            waiting = int(n)
    starts = sum(1 for (_, before), (_, after) in zip([(0.0, 0), *server], server) if after > before)
    return {"queued_s": queued_s, "free_share": free_s / queued_s if queued_s else 0.0,
            "idle_ms_per_request": 1000 * slot_s / starts if starts else 0.0, "starts": starts,
            "mean_in_flight": STREAMS - slot_s / queued_s if queued_s else 0.0}


def main(argv: list[str] | None = None) -> dict:
    args = sys.argv[1:] if argv is None else argv
    runs = int(args[0]) if args else 100
    first = bare("asyncio")
    httpx_ = bare("httpx")
    client = bare("client")
    eng = engine(runs)
    second = bare("asyncio")

    def per_chunk(p: dict) -> str:
        return (f"{1e6 * p['cpu'] / p['chunks']:6.0f} µs   ({p['chunks']:,} chunks, {p['chunks'] / p['wall']:,.0f}/s, "
                f"CPU {p['cpu']:.1f} s, wall {p['wall']:.1f} s, {p['load']})")

    floor = (first["cpu"] + second["cpu"]) / (first["chunks"] + second["chunks"])
    engine_per = eng["cpu"] / eng["chunks"]
    ratio = engine_per / floor
    idle = eng["idle"]
    print_table(f"CPU per streamed chunk, {STREAMS} parallel streams, one event every {1000 * DELAY_S:.0f} ms each", [
        ("bare asyncio reader (before)", per_chunk(first)),
        ("bare httpx reader", per_chunk(httpx_)),
        ("the app's LLM client alone", per_chunk(client)),
        (f"engine: {runs} experiment runs", per_chunk(eng)),
        ("  of which the event loop's thread", f"{1e6 * eng['loop_cpu'] / eng['chunks']:6.0f} µs   (the rest: the store's "
                                               "writer thread and its calls on worker threads)"),
        ("bare asyncio reader (after)", per_chunk(second)),
        ("engine ÷ bare asyncio", f"{ratio:.2f} ×  (goal ≤ {GOAL} ×: {'met' if ratio <= GOAL else 'MISSED'}; "
                                  f"{engine_per / (first['cpu'] / first['chunks']):.2f} × and "
                                  f"{engine_per / (second['cpu'] / second['chunks']):.2f} × against each bare reading "
                                  "alone); "
                                  f"httpx ÷ bare asyncio {httpx_['cpu'] / httpx_['chunks'] / floor:.2f} ×"),
    ])
    memory = eng["memory"]
    print_table("Memory (RSS) of the engine's process by runs done (goal: flat)",
                [(f"after {done:3d} runs", f"{mb:.0f} MB") for done, mb in sorted(memory.items())])
    print_table(f"Server slots while requests stood queued in the engine ({STREAMS} slots)", [
        ("time with requests queued", f"{idle['queued_s']:.1f} s of {eng['wall']:.1f} s"),
        ("mean requests in flight then", f"{idle['mean_in_flight']:.1f} of {STREAMS}"),
        ("share of it with a slot free", f"{100 * idle['free_share']:.1f} %"),
        ("slot idle per request", f"{idle['idle_ms_per_request']:.1f} ms  ({idle['starts']} requests; the hand-over "
                                  "from one stream's end to the next request's arrival)"),
        ("the same for bare asyncio", f"{first['idle']:.1f} ms before, {second['idle']:.1f} ms after (its next request "
                                      "is always ready: the server's and a minimal client's share)"),
    ])
    return {"ratio": ratio, "engine": eng, "asyncio": (first, second), "httpx": httpx_}


if __name__ == "__main__":
    main()
