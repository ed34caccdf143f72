"""Stored runs: load_history shows them read-only; a resume provider lets an interrupted run continue."""
from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace


from negotiator_app.domain import (
    Message, Offer, Outcome, OutcomeKind, Role, RunState, Violation, ViolationKind,
)
from negotiator_app.engine import RunStarted
from negotiator_app.ui.room import RoomPane
from negotiator_app.ui.room.pane import STORED_TIP
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, negotiation


def _stored_run(state: RunState, outcome: Outcome | None) -> SimpleNamespace:
    now = datetime.now(UTC)
    messages = [
        Message(seq=1, round=1, sender="Pat", role=Role.BUYER, recipients=["Bolt", "Acme"],
                text="Hello, ten cables please.", created_at=now),
        Message(seq=2, round=1, sender="Bolt", role=Role.SELLER, recipients=["Pat"], text="Six fifty each.",
                created_at=now),
        Message(seq=3, round=1, sender="Acme", role=Role.SELLER, recipients=["Pat"], text="Four, a steal!",
                created_at=now),
    ]
    offers = [Offer(seller="Bolt", price_per_unit=6.5, quantity=10, round=1, message_seq=2),
              Offer(seller="Acme", price_per_unit=4.0, quantity=10, round=1, message_seq=3, binding=False)]
    violations = [Violation(kind=ViolationKind.OFFER_BELOW_FLOOR, agent="Acme", attempted="offered 4.00 per unit",
                            limit="least price 5.00", round=1, message_seq=3)]
    return SimpleNamespace(run_id="stored-run", messages=messages, offers=offers, violations=violations,
                           outcome=outcome, state=state, rounds=1)


def test_load_history_shows_a_stored_run_read_only(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script()) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                deal = Outcome(kind=OutcomeKind.DEAL, seller="Bolt", price_per_unit=6.5, quantity=10, reason="ok")
                pane.load_history(_stored_run(RunState.DECIDED, deal))
                text = pane.transcript.toPlainText()
                assert "Six fifty each." in text and "Four, a steal!" in text
                assert "limit: least price 5.00" in text and "Offer: 6.50 per unit × 10" in text
                assert pane.banner.kind == "deal" and "Deal with Bolt" in pane.banner.label.text()
                assert pane.offers.standing()["Bolt"].price_per_unit == 6.5 and "Acme" not in pane.offers.standing()
                assert "Round 1 / 4" in pane.controls.round_label.text() and "decided" in pane.controls.state_label.text()
                assert not pane.composer.edit.isEnabled() and pane.composer.edit.toolTip() == STORED_TIP
                assert pane.controls.buttons["again"].isEnabled() and not pane.controls.buttons["start"].isEnabled()
                assert not pane.controls.buttons["resume"].isEnabled()
                pane.controls.buttons["again"].click()  # a new run replaces the stored one in the pane
                await until(lambda: env.of_type(RunStarted), what="new run")
                assert "Six fifty" not in pane.transcript.toPlainText() and pane.banner.kind is None
                assert pane.composer.edit.isEnabled()
        arun.run(scenario())


def _store(runtime, record, last_event_seq: int) -> None:
    """Write the run into the session's real database, as the recorder would have left it."""
    from negotiator_app.storage import runs as rows

    config, runner = runtime.config, runtime.engine.rooms["room-1"]
    with runtime.store.writing() as conn:
        rows.insert_run(conn, session_id=runtime.session_id, room_key="room-1", run_id=record.run_id,
                        item=runner.plan.item.name, quantity=runner.plan.item.quantity, buyer=runner.buyer,
                        sellers=list(runner.sellers), config=config, state=record.state,
                        started_at=datetime.now(UTC), max_rounds=runner.max_rounds)
        for message in record.messages:
            rows.insert_message(conn, record.run_id, message)
        for offer in record.offers:
            rows.insert_offer(conn, record.run_id, offer)
        for violation in record.violations:
            rows.insert_violation(conn, record.run_id, violation)
        rows.bump_seq(conn, record.run_id, last_event_seq)


def test_resume_interrupted_reads_the_stored_run_off_the_gui_thread_and_continues_it(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(prices={"Bolt": 6.0, "Acme": 7.0}, decision="accept:Bolt")) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                stored = _stored_run(RunState.INTERRUPTED, None)
                pane.load_history(stored)
                assert not pane.controls.buttons["resume"].isEnabled(), "no provider yet"
                _store(env.runtime, stored, last_event_seq=40)
                pane.set_resume_provider(lambda: stored.run_id)  # the host answers it from its cheap state query
                assert pane.controls.buttons["resume"].isEnabled()
                pane.controls.buttons["resume"].click()
                await until(lambda: env.runner.state == RunState.DECIDED, what="resumed run decided")
                started = env.of_type(RunStarted)[0]
                assert started.resumed and started.run_id == "stored-run" and started.seq == 41
                text = pane.transcript.toPlainText()
                assert "Six fifty each." in text and "resumed in round 1" in text
                assert pane.banner.kind == "deal"
        arun.run(scenario())
