"""Screenshots of the main pane states into tests/_screenshots/ (to look at), each checked to be non-trivial."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from negotiator_app.domain import RunState
from negotiator_app.engine import MessageCompleted, OfferMade
from negotiator_app.ui.room import RoomPane
from negotiator_app.ui.session_view import SessionView
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, negotiation, screenshot

SELLER_TEXT = "Cables of the finest quality, tested twice. For you, a special price this round."


def _distinct_colours(path) -> int:
    from PySide6.QtGui import QImage
    image = QImage(str(path))
    step = max(1, image.width() // 120)
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


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
                shots = [screenshot(pane, "room_streaming")]
                await until(lambda: len(env.of_type(OfferMade)) >= 6, timeout=20, what="three rounds of offers")
                env.runner.pause()
                await until(lambda: env.runner.state == RunState.PAUSED, timeout=20, what="paused")
                pane.set_operator_view(True)
                shots.append(screenshot(pane, "room_paused_operator_view"))
                dialog = pane.open_force_dialog()
                await until(lambda: dialog.isVisible())
                shots.append(screenshot(dialog, "force_dialog"))
                dialog.accept()
                await until(lambda: env.runner.state == RunState.DECIDED, what="deal")
                shots.append(screenshot(pane, "room_deal_operator_view"))
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
                    shots.append(screenshot(dark, "room_deal_dark"))
                finally:
                    app.setPalette(light)
            for shot in shots:
                assert _distinct_colours(shot) > 20, shot
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
                shots = [screenshot(view, "session_grid")]
                script.down = True
                pane = view.pane("room-1")
                view.grid_toggle.setChecked(False)
                pane.controls.buttons["again"].click()
                await until(lambda: env.runner.state == RunState.ERROR, what="error")
                shots.append(screenshot(view, "room_error_retry"))
            for shot in shots:
                assert _distinct_colours(shot) > 20, shot
        arun.run(scenario())
