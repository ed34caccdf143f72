"""Benchmark 5 — database: messages stored per second, and the time to load a 10,000-message session.

Stored per second: MessageCompleted events (with usage, 3 recipients) go through the real EventBus and
Recorder into a SQLite file (WAL, synchronous=NORMAL), timed from the first emit until the recorder has
committed everything; once as a burst (the writer batches up to 200 events a transaction) and once one
message at a time (emit, wait until committed: the worst case, one transaction per message).
Load: a session of 10 runs × 1,000 messages (plus offers), read back as the app does — list the runs,
then load each run in full — and a single 10,000-message run.

Run: uv run python -m tests.benchmarks.bench_database
"""
from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from negotiator_app.domain import Message, Offer, Role, UsageInfo
from negotiator_app.engine import EventBus, MessageCompleted, OfferMade, RunStarted
from negotiator_app.storage import Recorder, Store
from tests.benchmarks.common import print_table
from tests.storage.support import small_config

SELLERS = ["Bolt", "Acme"]


def _events(run_id: str, messages: int) -> list:
    e = dict(room="room-1", run_id=run_id)
    out = [RunStarted(**e, item="Cable", quantity=10, sellers=SELLERS, buyer="Pat", buyer_mode="ai", max_rounds=50,
                      model="m")]
    now = datetime.now(UTC)
    for seq in range(1, messages + 1):
        buyer = seq % 3 == 1
        sender = "Pat" if buyer else SELLERS[seq % 2]
        out.append(MessageCompleted(**e, stream_id=seq, message=Message(
            seq=seq, round=seq // 3, sender=sender, role=Role.BUYER if buyer else Role.SELLER,
            recipients=SELLERS if buyer else ["Pat"], created_at=now,
            text=f"Message {seq}: a typical negotiation line of about a hundred characters, give or take a few.",
            usage=UsageInfo(prompt_tokens=900, completion_tokens=40, time_to_first_token_s=0.2, duration_s=1.1,
                            tokens_per_s=36.0))))
        if not buyer and seq % 6 == 0:
            out.append(OfferMade(**e, offer=Offer(seller=sender, price_per_unit=6.5, quantity=10, round=seq // 3,
                                                  message_seq=seq)))
    return out


def _record(store: Store, session_id: int, events: list, one_by_one: bool) -> float:
    bus = EventBus()
    recorder = Recorder(store, session_id, small_config())
    bus.subscribe(recorder.handle)
    started = time.perf_counter()
    for event in events:
        bus.emit(event)
        if one_by_one and isinstance(event, MessageCompleted):
            recorder.flush_sync()
    assert recorder.flush_sync(120)
    elapsed = time.perf_counter() - started
    recorder.close()
    return elapsed


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.sqlite3")
        session_id = store.create_session(small_config()).id
        burst = _events("b" * 32, 10_000)
        burst_s = _record(store, session_id, burst, one_by_one=False)
        single = _events("s" * 32, 500)
        single_s = _record(store, session_id, single, one_by_one=True)

        big_session = store.create_session(small_config()).id
        for n in range(10):
            _record(store, big_session, _events(f"{n:x}".ljust(32, "a"), 1_000), one_by_one=False)
        started = time.perf_counter()
        runs = store.list_runs(big_session)
        records = [store.load_run(r.run_id) for r in runs]
        session_load_s = time.perf_counter() - started
        assert sum(len(r.messages) for r in records) == 10_000
        started = time.perf_counter()
        one = store.load_run("b" * 32)
        run_load_s = time.perf_counter() - started
        assert len(one.messages) == 10_000
        store.close()
    print_table("Database (SQLite file, WAL)", [
        ("stored per second, burst", f"{10_000 / burst_s:,.0f} messages/s  (10,000 messages in {burst_s:.2f} s)"),
        ("stored per second, one at a time", f"{500 / single_s:,.0f} messages/s  (a commit per message)"),
        ("load a 10,000-message session", f"{1000 * session_load_s:.0f} ms  (10 runs x 1,000 messages)"),
        ("load one 10,000-message run", f"{1000 * run_load_s:.0f} ms"),
    ])
    return {"burst_per_s": 10_000 / burst_s, "single_per_s": 500 / single_s, "session_load_s": session_load_s,
            "run_load_s": run_load_s}


if __name__ == "__main__":
    main()
