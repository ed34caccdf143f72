"""A buyer message typed during an AI turn shows at once as queued, can be taken back, and becomes the real
message when the turn ends."""
from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from negotiator_app.engine import MessageCompleted
from negotiator_app.ui.room import RoomPane
from negotiator_app.ui.room.queued import QUEUED_TEXT
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, agent_of, negotiation

TYPED = "@Bolt could you add free delivery?"


def test_a_message_typed_during_an_ai_turn_is_queued_can_be_taken_back_then_sent(qtbot, arun):
    gate = threading.Event()  # the sellers' first answers wait, so the AI turn is still going on
    script = Script(prices={"Bolt": 7.0, "Acme": 7.5})

    def responder(body):
        if agent_of(body) != "buyer":
            gate.wait(10)
        return script(body)

    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, script) as env:
                fake.responder = responder
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.resize(1100, 700)
                pane.show()
                qtbot.mouseClick(pane.controls.buttons["start"], Qt.MouseButton.LeftButton)
                await until(lambda: any(e.message.sender == "Pat" for e in env.of_type(MessageCompleted)),
                            what="the AI buyer's opening")
                edit = pane.composer.edit
                qtbot.keyClicks(edit, TYPED)
                qtbot.keyClick(edit, Qt.Key.Key_Return)
                # At once, before the turn ends: the composer is empty and the message shows as queued.
                assert pane.composer.text() == ""
                [bubble] = pane.queued.bubbles()
                assert bubble.isVisible() and bubble.body.text() == TYPED and QUEUED_TEXT in bubble.header.text()
                assert env.runner.queued == [TYPED]
                pane.grab().save("/tmp/roomui_queued.png")

                qtbot.mouseClick(bubble.take_back, Qt.MouseButton.LeftButton)
                assert env.runner.queued == [] and pane.queued.bubbles() == [] and not pane.queued.isVisible()
                assert pane.composer.text() == TYPED, "the text taken back is there to edit or send again"

                qtbot.keyClick(edit, Qt.Key.Key_Return)
                assert [b.body.text() for b in pane.queued.bubbles()] == [TYPED]
                gate.set()
                await until(lambda: any(e.message.typed_by_person for e in env.of_type(MessageCompleted)),
                            what="the queued message to be sent")
                [sent] = [e.message for e in env.of_type(MessageCompleted) if e.message.typed_by_person]
                assert sent.text == TYPED and sent.recipients == ["Bolt"] and sent.round == 2
                assert pane.queued.bubbles() == [] and not pane.queued.isVisible()
                typed = [b for b in pane.transcript.bubbles() if b.message is not None and b.message.typed_by_person]
                assert [b.text for b in typed] == [TYPED], "shown once, as the real message"
        try:
            arun.run(scenario())
        finally:
            gate.set()


def test_a_queued_message_the_run_never_sent_returns_to_the_composer(qtbot, arun):
    gate = threading.Event()
    script = Script(prices={"Bolt": 7.0, "Acme": 7.5})

    def responder(body):
        if agent_of(body) != "buyer":
            gate.wait(10)
        return script(body)

    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, script) as env:
                fake.responder = responder
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.show()
                qtbot.mouseClick(pane.controls.buttons["start"], Qt.MouseButton.LeftButton)
                await until(lambda: env.of_type(MessageCompleted), what="the AI buyer's opening")
                qtbot.keyClicks(pane.composer.edit, TYPED)
                qtbot.keyClick(pane.composer.edit, Qt.Key.Key_Return)
                assert len(pane.queued.bubbles()) == 1
                qtbot.mouseClick(pane.controls.buttons["stop"], Qt.MouseButton.LeftButton)
                gate.set()
                await until(lambda: not env.runner.running, what="the stop")
                await until(lambda: not pane.queued.bubbles(), what="the queue to empty")
                assert pane.composer.text() == TYPED
                assert "queued message was not sent" in pane.transcript.toPlainText()
        try:
            arun.run(scenario())
        finally:
            gate.set()
