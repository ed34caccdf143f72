"""The composer: typed buyer messages reach only the mentioned seller, with a counter, completion and refusals."""
from __future__ import annotations

from PySide6.QtCore import Qt

from negotiator_app.domain import RunState
from negotiator_app.engine import MessageCompleted, RunFinished
from negotiator_app.ui.room import RoomPane
from negotiator_app.ui.room.pane import ENDED_TIP
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, agent_of, negotiation, request_text

TYPED = "@Bolt what is your very best price for ten?"


def test_typed_mention_reaches_only_the_mentioned_seller(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(prices={"Bolt": 7.0, "Acme": 9.0}), max_rounds=2) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.show()
                qtbot.keyClicks(pane.composer.edit, TYPED)
                qtbot.keyClick(pane.composer.edit, Qt.Key.Key_Return)
                await until(lambda: env.of_type(RunFinished), what="run end")
                assert pane.composer.text() == "", "a sent message leaves the composer"
                first = env.of_type(MessageCompleted)[0].message
                assert first.typed_by_person and first.recipients == ["Bolt"] and first.text == TYPED
                assert "✎ typed by you" in pane.transcript.toPlainText()
                assert "→ Bolt" in pane.transcript.toPlainText()
                bodies = {"Bolt": [], "Acme": []}
                for body in fake.requests:
                    agent = agent_of(body)
                    if agent in bodies:
                        bodies[agent].append(request_text(body))
                assert any("very best price" in text for text in bodies["Bolt"])
                assert bodies["Acme"], "Acme is asked in round 2 (the AI buyer broadcasts)"
                assert not any("very best price" in text for text in bodies["Acme"])
        arun.run(scenario())


def test_counter_newline_unknown_mention_and_disabled_after_the_end(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(decision="walk_away"), max_rounds=1) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                edit = pane.composer.edit
                qtbot.keyClicks(edit, "hi")
                qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
                qtbot.keyClicks(edit, "@Zed x")
                assert pane.composer.text() == "hi\n@Zed x"
                assert pane.composer.counter.text() == "9/1000"
                qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
                assert pane.composer.error.isVisibleTo(pane)
                assert "No seller called @Zed" in pane.composer.error.text() and "@Bolt" in pane.composer.error.text()
                assert pane.composer.text() == "hi\n@Zed x", "a refused message is kept to be fixed"
                assert not env.runner.running
                qtbot.keyClicks(edit, "!")
                assert not pane.composer.error.isVisibleTo(pane), "editing clears the refusal"
                edit.setPlainText("x" * 1001)
                assert pane.composer.counter.text() == "1001/1000"
                pane.composer.send_button.click()
                assert "at most 1000 characters" in pane.composer.error.text()
                edit.setPlainText("")
                pane.controls.buttons["start"].click()
                await until(lambda: env.runner.state == RunState.NO_DEAL, what="walk away")
                assert not edit.isEnabled() and not pane.composer.send_button.isEnabled()
                assert edit.toolTip() == ENDED_TIP
        arun.run(scenario())


def test_at_opens_a_completion_of_the_room_sellers(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script()) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.show()
                edit = pane.composer.edit
                qtbot.keyClicks(edit, "Hey @bo")
                popup = edit.completer.popup()
                assert popup.isVisible()
                assert edit.completer.currentCompletion() == "Bolt"
                qtbot.keyClick(popup, Qt.Key.Key_Down)
                qtbot.keyClick(popup, Qt.Key.Key_Return)
                assert pane.composer.text() == "Hey @Bolt "
                assert not popup.isVisible()
                assert not env.runner.running, "choosing a completion does not send"
        arun.run(scenario())


def test_person_mode_waits_for_the_typed_message(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(prices={"Bolt": 7.0, "Acme": 9.0})) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.controls.mode_person.click()
                pane.controls.buttons["start"].click()
                await until(lambda: env.runner.state == RunState.AWAITING_PERSON, what="your turn")
                assert "your turn" in pane.controls.state_label.text()
                assert pane.composer.edit.isEnabled()
                pane.composer.set_text("@Acme and you?")
                pane.composer.send_button.click()
                await until(lambda: any(e.message.typed_by_person for e in env.of_type(MessageCompleted)))
                assert env.of_type(MessageCompleted)[0].message.recipients == ["Acme"]
        arun.run(scenario())
