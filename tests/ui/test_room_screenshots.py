"""Screenshots of the main pane states into tests/_screenshots/ (to look at); the widgets' state is checked to
show what each picture is meant to show."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from negotiator_app.domain import OutcomeKind, RunState, money
from negotiator_app.engine import MessageCompleted, OfferMade
from negotiator_app.ui.room import RoomPane
from negotiator_app.ui.room.offers import FLOOR_COLUMN
from negotiator_app.ui.session_view import SessionView
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.on_screen import assert_on_screen
from tests.ui.room_support import Script, negotiation, screenshot

SELLER_TEXT = "Cables of the finest quality, tested twice. For you, a special price this round."


def _dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.Base, "#17181a"),
                         (QPalette.ColorRole.Text, "#e8eaed"), (QPalette.ColorRole.WindowText, "#e8eaed"),
                         (QPalette.ColorRole.Button, "#2d2e31"), (QPalette.ColorRole.ButtonText, "#e8eaed"),
                         (QPalette.ColorRole.PlaceholderText, "#9aa0a6")):
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b6f75"))
    return palette


def _standing_offers(env) -> dict[str, object]:
    """Each seller's latest binding offer, from the events the engine emitted."""
    standing = {}
    for event in env.of_type(OfferMade):
        if event.offer.binding:
            standing[event.offer.seller] = event.offer
    return standing


def test_screenshots_of_the_main_states(qtbot, arun):
    with FakeLMStudio(per_token_delay_s=0.01) as fake:
        async def scenario():
            script = Script(seller_text=SELLER_TEXT, reasoning="They want ten; open high.",
                            prices={"Bolt": [9.5, 8.2, 7.4, 6.9], "Acme": [9.8, 4.5, 8.0, 7.6]}, decision="continue")
            async with negotiation(fake, script) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.resize(1150, 720)
                pane.show()
                pane.controls.buttons["start"].click()
                await until(lambda: len(env.of_type(MessageCompleted)) >= 1 and len(pane.transcript.bubbles()) >= 3
                            and pane.transcript.body_text(pane.transcript.bubbles()[-1].key), what="sellers streaming")
                screenshot(pane, "room_streaming")
                # The buyer's opening, then both sellers answering, their words on screen.
                bubbles = pane.transcript.bubbles()
                assert [b.sender for b in bubbles[:3]] == ["Pat", "Bolt", "Acme"] or \
                    [b.sender for b in bubbles[:3]] == ["Pat", "Acme", "Bolt"]
                assert bubbles[0].text == script.opening
                shown = pane.transcript.toPlainText()
                assert script.opening in shown
                assert SELLER_TEXT.startswith(bubbles[-1].text) and bubbles[-1].text[:20] in shown
                assert "They want ten" not in shown  # the buyer's reasoning is kept apart, not shown as its message
                for widget in (pane.controls, pane.transcript, pane.offers.table, pane.offers.chart, pane.composer):
                    assert_on_screen(widget, pane)

                await until(lambda: len(env.of_type(OfferMade)) >= 6, timeout=20, what="three rounds of offers")
                env.runner.pause()
                await until(lambda: env.runner.state == RunState.PAUSED, timeout=20, what="paused")
                pane.set_operator_view(True)
                screenshot(pane, "room_paused_operator_view")
                assert "paused" in pane.controls.state_label.text()
                table = pane.offers.table
                assert not table.isColumnHidden(FLOOR_COLUMN)  # operator view shows the sellers' floors
                standing = _standing_offers(env)
                rows = {table.item(r, 0).text(): table.item(r, 2).text() for r in range(table.rowCount())}
                assert set(rows) == {"Bolt", "Acme"}
                for seller, offer in standing.items():
                    assert rows[seller].startswith(f"{money(offer.price_per_unit)} × {offer.quantity}"), rows
                chart = pane.offers.chart
                assert chart.operator_view and chart.data.sellers == ["Bolt", "Acme"]
                assert [o.price_per_unit for o in chart.data.offers] == [e.offer.price_per_unit
                                                                         for e in env.of_type(OfferMade)]
                assert_on_screen(chart, pane)

                dialog = pane.open_force_dialog()
                await until(lambda: dialog.isVisible())
                screenshot(dialog, "force_dialog")
                assert set(dialog.offer_buttons) == {"Bolt", "Acme"}
                for seller, offer in standing.items():
                    assert f"{seller}: {money(offer.price_per_unit)} per unit" in dialog.offer_buttons[seller].text()
                chosen = next(s for s, b in dialog.offer_buttons.items() if b.isChecked())
                dialog.accept()
                await until(lambda: env.runner.state == RunState.DECIDED, what="deal")
                screenshot(pane, "room_deal_operator_view")
                outcome = env.runner.outcome
                assert outcome.kind == OutcomeKind.DEAL and outcome.seller == chosen
                assert pane.banner.kind == "deal"
                assert chosen in pane.banner.label.text() and money(outcome.price_per_unit) in pane.banner.label.text()
                assert_on_screen(pane.banner, pane)

                app = QApplication.instance()
                light = app.palette()
                app.setPalette(_dark_palette())
                try:
                    dark = RoomPane(env.runner, env.bridge)
                    qtbot.addWidget(dark)
                    dark.resize(1150, 720)
                    dark._render_existing(env.runner.transcript, env.runner.offer_history, env.runner.violations)
                    dark._show_outcome(env.runner.outcome)
                    dark.set_operator_view(True)
                    dark.show()
                    screenshot(dark, "room_deal_dark")
                    # The same conversation and outcome, drawn in the dark theme's colours.
                    assert [b.sender for b in dark.transcript.bubbles()] == [m.sender for m in env.runner.transcript]
                    assert dark.banner.kind == "deal" and dark.banner.label.text() == pane.banner.label.text()
                    light_colours = {b.sender: b.colors for b in pane.transcript.bubbles()}
                    assert all(b.colors != light_colours[b.sender] for b in dark.transcript.bubbles())
                    assert_on_screen(dark.banner, dark)
                finally:
                    app.setPalette(light)
        arun.run(scenario())


def test_screenshots_of_error_and_grid(qtbot, arun):
    with FakeLMStudio(per_token_delay_s=0.002) as fake:
        async def scenario():
            script = Script(seller_text=SELLER_TEXT, prices={"Bolt": 7.0, "Acme": 7.5}, decision="walk_away")
            async with negotiation(fake, script, max_rounds=2) as env:
                view = SessionView(env.engine, env.bridge)
                qtbot.addWidget(view)
                view.resize(1300, 760)
                view.show()
                view.start_all()
                await until(lambda: all(r.state.finished for r in env.engine.rooms.values()), what="rooms end")
                view.grid_toggle.setChecked(True)
                screenshot(view, "session_grid")
                # Every room at once, each compact (no offers panel) and each showing how it ended.
                assert set(view.panes) == set(env.engine.rooms) and len(view.panes) >= 2
                for pane in view.panes.values():
                    assert_on_screen(pane, view)
                    assert not pane.offers.isVisible()
                    assert pane.banner.kind == "no_deal" and "No deal" in pane.banner.label.text()
                    assert_on_screen(pane.banner, view)
                script.down = True
                pane = view.pane("room-1")
                view.grid_toggle.setChecked(False)
                pane.controls.buttons["again"].click()
                await until(lambda: env.runner.state == RunState.ERROR, what="error")
                screenshot(view, "room_error_retry")
                assert view.tabs.currentWidget() is pane
                assert pane.banner.kind == "error" and "Model unloaded" in pane.banner.label.text()
                assert_on_screen(pane.banner, view)
                assert_on_screen(pane.banner.retry_button, view)
        arun.run(scenario())
