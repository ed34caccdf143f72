"""A second "app instance" for the two-instances test: records scripted runs into a database file.

Run as `python -m tests.hardening.db_writer DB TAG RUNS MESSAGES`; prints the run ids it stored.
"""
from __future__ import annotations

import sys
from datetime import UTC, datetime

from negotiator_app.domain import Message, Offer, Outcome, OutcomeKind, Role, RunState
from negotiator_app.engine import EventBus, MessageCompleted, OfferMade, RunFinished, RunStarted, StateChanged
from negotiator_app.storage import Recorder, Store
from tests.storage.support import small_config


def write_runs(db: str, tag: str, runs: int, messages: int) -> list[str]:
    store = Store.open(db)
    store.mark_interrupted_runs()  # what every app start does
    config = small_config()
    session_id = store.create_session(config.model_copy(update={"name": f"instance {tag}"})).id
    recorder = Recorder(store, session_id, config, retry_delays=(0.01,))
    bus = EventBus()
    bus.subscribe(recorder.handle)
    ids = []
    for n in range(runs):
        run_id = f"{tag}{n:04d}".ljust(32, "0")
        ids.append(run_id)
        e = dict(room="room-1", run_id=run_id)
        now = datetime.now(UTC)
        bus.emit(RunStarted(**e, item="Cable", quantity=10, sellers=["Bolt", "Acme"], buyer="Pat", buyer_mode="ai",
                            max_rounds=5, model="m", at=now))
        bus.emit(StateChanged(**e, state=RunState.RUNNING, round=1))
        for seq in range(1, messages + 1):
            buyer = seq % 2 == 1
            bus.emit(MessageCompleted(**e, stream_id=seq, message=Message(
                seq=seq, round=(seq + 1) // 2, sender="Pat" if buyer else "Acme", role=Role.BUYER if buyer else Role.SELLER,
                recipients=["Bolt", "Acme"] if buyer else ["Pat"], text=f"{tag} run {n} message {seq}",
                created_at=datetime.now(UTC))))
        bus.emit(OfferMade(**e, offer=Offer(seller="Acme", price_per_unit=6.0, quantity=10, round=1, message_seq=2)))
        bus.emit(RunFinished(**e, state=RunState.DECIDED, rounds=messages // 2, outcome=Outcome(
            kind=OutcomeKind.DEAL, seller="Acme", price_per_unit=6.0, quantity=10, reason="ok")))
    ok = recorder.close(60)
    store.close()
    if not ok:
        raise SystemExit(f"instance {tag}: events left unstored")
    return ids


if __name__ == "__main__":
    db, tag, runs, messages = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    print("\n".join(write_runs(db, tag, runs, messages)))
