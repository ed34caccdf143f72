"""Forced decisions, outcome banners, violations, operator view and server errors with Retry."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog

from negotiator_app.domain import RunState
from negotiator_app.engine import ErrorRaised, MessageCompleted, OfferMade, RunStarted, ViolationRecorded
from negotiator_app.ui.room import RoomPane
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, negotiation


async def _offers_standing(env, pane) -> None:
    """Person mode: the run waits for the person after round 1, with both sellers' offers standing."""
    pane.controls.mode_person.click()
    pane.composer.set_text("Hello both, what is your price for ten?")
    pane.composer.send_button.click()
    await until(lambda: env.runner.state == RunState.AWAITING_PERSON and len(env.of_type(OfferMade)) == 2,
                what="offers standing")


def test_force_accept_a_valid_offer_shows_the_deal_and_disables_an_invalid_one(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(prices={"Bolt": 7.0, "Acme": 9.0})) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                await _offers_standing(env, pane)
                assert pane.controls.buttons["force"].isEnabled()
                dialog = pane.open_force_dialog()
                assert dialog.isVisible()
                acme, bolt = dialog.offer_buttons["Acme"], dialog.offer_buttons["Bolt"]
                assert not acme.isEnabled() and "max price 8.00" in acme.text()
                assert bolt.isEnabled() and bolt.isChecked()
                dialog.buttons.accepted.emit()
                assert dialog.result() == QDialog.DialogCode.Accepted
                await until(lambda: env.runner.state == RunState.DECIDED, what="deal")
                banner = pane.banner.label.text()
                assert pane.banner.kind == "deal" and pane.banner.isVisibleTo(pane)
                assert "Deal with Bolt" in banner and "7.00 per unit × 10" in banner and "70.00" in banner
                assert "saving 3.00 per unit (30.00 in total" in banner and "10.00" in banner
                assert "Decision forced by you" in pane.transcript.toPlainText()
                assert "decided" in pane.controls.state_label.text()
        arun.run(scenario())


def test_force_no_deal_with_a_reason(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(prices={"Bolt": 7.0, "Acme": 9.0})) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                await _offers_standing(env, pane)
                dialog = pane.open_force_dialog()
                dialog.no_deal.setChecked(True)
                dialog.reason_edit.setText("budget frozen")
                dialog.accept()
                await until(lambda: env.runner.state == RunState.NO_DEAL, what="no deal")
                assert pane.banner.kind == "no_deal" and "budget frozen" in pane.banner.label.text()
        arun.run(scenario())


def test_violation_is_shown_under_its_message_and_in_the_offers(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(prices={"Bolt": 4.0, "Acme": 9.0})) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                await _offers_standing(env, pane)
                [violation] = env.of_type(ViolationRecorded)
                bolt = next(b for b in pane.transcript.bubbles() if b.sender == "Bolt")
                assert bolt.violations == [violation.violation]
                text = pane.transcript.toPlainText()
                assert "⚠ Offer below the seller's floor: offered 4.00 per unit — limit: least price 5.00" in text
                assert "Offer: 4.00 per unit × 10 — not binding" in text
                row = pane.offers.table
                assert row.item(0, 0).text() == "Bolt" and "⚠" in row.item(0, 2).text()
                assert row.item(1, 2).text().startswith("9.00 × 10")
                chart_offers = pane.offers.chart.data.offers
                assert [o.binding for o in chart_offers] == [False, True] or [o.binding for o in chart_offers] == [True, False]
        arun.run(scenario())


def test_operator_view_shows_the_hidden_limits(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(prices={"Bolt": 7.0, "Acme": 9.0})) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.resize(1000, 600)
                pane.show()
                await _offers_standing(env, pane)
                assert pane.offers.table.isColumnHidden(3)
                assert "max" not in pane.offers.buyer_label.text()
                plain = pane.offers.chart.grab().toImage()
                pane.set_operator_view(True)
                assert not pane.offers.table.isColumnHidden(3) and pane.offers.table.item(0, 3).text() == "5.00"
                assert "max 8.00" in pane.offers.buyer_label.text() and "hidden from" in pane.offers.buyer_label.toolTip()
                low, high = pane.offers.chart._price_range()
                assert low < 5.0 and high > 9.0
                assert pane.offers.chart.grab().toImage() != plain
        arun.run(scenario())


def test_server_down_shows_an_error_banner_and_retry_recovers(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            script = Script(prices={"Bolt": 7.0, "Acme": 9.0}, decision="accept:Bolt")
            async with negotiation(fake, script) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.controls.buttons["start"].click()
                await until(lambda: env.of_type(MessageCompleted), what="the opening")
                script.down = True
                await until(lambda: env.runner.state == RunState.ERROR, what="fatal error")
                assert pane.banner.kind == "error" and pane.banner.retry_button.isVisibleTo(pane)
                assert "503" in pane.banner.label.text() or "restarting" in pane.banner.label.text()
                assert any(e.fatal for e in env.of_type(ErrorRaised))
                assert "error" in pane.controls.state_label.text()
                assert not pane.controls.buttons["resume"].isEnabled(), "no resume provider set"
                assert not pane.controls.buttons["stop"].isEnabled() and not pane.composer.edit.isEnabled()
                # The failed attempts said nothing: no empty bubbles, the notes say what happened.
                assert all(pane.transcript.body_text(b.key) for b in pane.transcript.bubbles())
                assert pane.transcript.toPlainText().count("The buyer could not speak:") == 3
                run_id = env.runner.run_id
                script.down = False
                pane.banner.retry_button.click()
                await until(lambda: env.runner.state == RunState.DECIDED, what="recovered run")
                started = env.of_type(RunStarted)
                assert started[-1].resumed and env.runner.run_id == run_id
                assert pane.banner.kind == "deal"
                assert "resumed in round" in pane.transcript.toPlainText()
                assert env.runner.transcript[0].text == script.opening
        arun.run(scenario())
