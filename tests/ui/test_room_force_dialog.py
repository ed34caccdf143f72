"""The Force decision dialog driven by keyboard and mouse: best valid offer preselected, the person's reason
kept with an accepted offer (and stored), offers that arrive while it is open shown at once."""
from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from negotiator_app.domain import RunState
from negotiator_app.engine import DecisionMade, OfferMade
from negotiator_app.storage import Store
from negotiator_app.storage.recorder import Recorder
from negotiator_app.ui.room import RoomPane
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, agent_of, config, negotiation


def _send_typed(qtbot, pane, text: str) -> None:
    qtbot.keyClicks(pane.composer.edit, text)
    qtbot.keyClick(pane.composer.edit, Qt.Key.Key_Return)


def _shown_pane(qtbot, env) -> RoomPane:
    pane = RoomPane(env.runner, env.bridge)
    qtbot.addWidget(pane)
    pane.resize(1100, 700)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def test_enter_accepts_the_cheapest_valid_offer_and_the_reason_is_stored(qtbot, arun, tmp_path):
    store = Store.open(tmp_path / "negotiator.sqlite3")
    session_id = store.create_session(config(max_rounds=4)).id
    with FakeLMStudio() as fake:
        async def scenario():
            # Bolt (listed first) offers 7.90, Acme 6.00: both valid under the buyer's max of 8.00.
            async with negotiation(fake, Script(prices={"Bolt": 7.9, "Acme": 6.0})) as env:
                recorder = Recorder(store, session_id, env.engine.config)
                env.bus.subscribe(recorder.handle)
                pane = _shown_pane(qtbot, env)
                qtbot.mouseClick(pane.controls.mode_person, Qt.MouseButton.LeftButton)
                _send_typed(qtbot, pane, "Hello both, what is your price for ten?")
                await until(lambda: env.runner.state == RunState.AWAITING_PERSON and len(env.of_type(OfferMade)) == 2,
                            what="both offers standing")
                qtbot.mouseClick(pane.controls.buttons["force"], Qt.MouseButton.LeftButton)
                dialog = pane._force_dialog
                assert dialog is not None and dialog.isVisible()
                assert dialog.offer_buttons["Acme"].isChecked(), "the cheapest valid offer is preselected"
                qtbot.mouseClick(dialog.reason_edit, Qt.MouseButton.LeftButton)
                qtbot.keyClicks(dialog.reason_edit, "Acme delivers a week sooner")
                dialog.grab().save("/tmp/roomui_force.png")
                qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)  # Enter: the dialog's default button
                await until(lambda: env.runner.state == RunState.DECIDED, what="the deal")
                outcome = env.runner.outcome
                assert (outcome.seller, outcome.price_per_unit) == ("Acme", 6.0)
                assert outcome.reason.endswith("Acme delivers a week sooner")
                [accepted] = [e for e in env.of_type(DecisionMade) if e.decision == "accept"]
                assert accepted.by == "forced" and accepted.reason == "Acme delivers a week sooner"
                assert "Decision forced by you: Acme delivers a week sooner" in pane.transcript.toPlainText()
                assert await recorder.flush(10)
                recorder.close()
                stored = store.load_run(env.runner.run_id)
                assert stored.outcome.reason.endswith("Acme delivers a week sooner")
                decision = next(e for e in stored.events if e.kind == "decision" and e.text == "accept")
                assert "Acme delivers a week sooner" in decision.detail
        arun.run(scenario())
    store.close()


def test_the_open_dialog_follows_offers_that_arrive(qtbot, arun):
    gate = threading.Event()  # the sellers answer only once the dialog is open
    script = Script(prices={"Bolt": 7.9, "Acme": 6.5})

    def responder(body):
        if agent_of(body) != "buyer":
            gate.wait(10)
        return script(body)

    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, script) as env:
                fake.responder = responder
                pane = _shown_pane(qtbot, env)
                qtbot.mouseClick(pane.controls.mode_person, Qt.MouseButton.LeftButton)
                _send_typed(qtbot, pane, "Hello both, what is your price for ten?")
                await until(lambda: env.runner.running and pane.controls.buttons["force"].isEnabled(),
                            what="the run to start")
                qtbot.mouseClick(pane.controls.buttons["force"], Qt.MouseButton.LeftButton)
                dialog = pane._force_dialog
                assert "no offer" in dialog.offer_buttons["Bolt"].text()
                assert dialog.buyer_decides.isChecked()
                gate.set()
                await until(lambda: len(env.of_type(OfferMade)) == 2, what="both offers")
                await until(lambda: not any("no offer" in b.text() for b in dialog.offer_buttons.values()),
                            what="the dialog to show both offers")
                assert dialog.offer_buttons["Bolt"].text().startswith("Bolt: 7.90 per unit × 10")
                assert dialog.offer_buttons["Acme"].text().startswith("Acme: 6.50 per unit × 10")
                assert all(b.isEnabled() for b in dialog.offer_buttons.values())
                assert dialog.offer_buttons["Acme"].isChecked(), "the best offer, once it exists"
                # A choice the person made is kept while further offers arrive.
                qtbot.mouseClick(dialog.offer_buttons["Bolt"], Qt.MouseButton.LeftButton)
                dialog.refresh()
                assert dialog.offer_buttons["Bolt"].isChecked()
                qtbot.mouseClick(dialog.decide_button, Qt.MouseButton.LeftButton)
                await until(lambda: env.runner.state == RunState.DECIDED, what="the deal")
                assert env.runner.outcome.seller == "Bolt"
            gate.set()
        try:
            arun.run(scenario())
        finally:
            gate.set()
