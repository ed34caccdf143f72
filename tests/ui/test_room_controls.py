"""Room controls: pause/resume, Esc to stop, buyer mode, and which buttons are enabled when."""
from __future__ import annotations

from PySide6.QtCore import Qt

from negotiator_app.domain import BuyerMode, RunState
from negotiator_app.engine import MessageCompleted, RunFinished
from negotiator_app.ui.room import RoomPane
from negotiator_app.ui.room.controls import ControlState, enabled_buttons
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, negotiation


def _on(state: RunState, running: bool, paused: bool = False, resume: bool = False) -> set[str]:
    return {name for name, (on, _tip) in enabled_buttons(ControlState(state, running, paused, resume)).items() if on}


def test_buttons_are_enabled_only_when_they_make_sense():
    assert _on(RunState.IDLE, False) == {"start"}
    assert _on(RunState.RUNNING, True) == {"pause", "stop", "force"}
    assert _on(RunState.DECIDED, False) == {"again"}
    assert _on(RunState.STOPPED, False) == {"again"}
    assert _on(RunState.STOPPED, False, resume=True) == {"again", "resume"}
    assert _on(RunState.DECIDED, False, resume=True) == {"again"}, "a decided run is not resumed"
    _on_, tip = enabled_buttons(ControlState(RunState.IDLE, False, False, False))["force"]
    assert tip == "Start the negotiation first"


def test_pause_resume_escape_and_mode_from_the_pane(qtbot, arun):
    with FakeLMStudio(per_token_delay_s=0.005) as fake:
        async def scenario():
            async with negotiation(fake, Script(prices={"Bolt": 7.0, "Acme": 9.0})) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.show()
                buttons = pane.controls.buttons
                buttons["start"].click()
                assert not buttons["start"].isEnabled() and buttons["stop"].isEnabled()
                buttons["pause"].click()
                assert buttons["pause"].text() == "Resume" and env.runner.paused
                await until(lambda: env.runner.state == RunState.PAUSED, what="paused at a turn boundary")
                assert "paused" in pane.controls.state_label.text()
                count = len(env.of_type(MessageCompleted))
                buttons["pause"].click()
                assert buttons["pause"].text() == "Pause" and not env.runner.paused
                await until(lambda: len(env.of_type(MessageCompleted)) > count, what="running again")
                pane.controls.mode_person.click()
                assert env.runner.mode == BuyerMode.PERSON
                await until(lambda: env.runner.state == RunState.AWAITING_PERSON, what="your turn")
                pane.composer.edit.setFocus()
                qtbot.keyClick(pane.composer.edit, Qt.Key.Key_Escape)
                await until(lambda: env.of_type(RunFinished), what="stopped by Esc")
                assert env.runner.state == RunState.STOPPED
                assert "stopped" in pane.controls.state_label.text()
        arun.run(scenario())
