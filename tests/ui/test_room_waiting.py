"""A stalled server shows a sign of life in the room: "waiting for server (N s)" while no chunk arrives,
gone again as soon as the server speaks."""
from __future__ import annotations

from negotiator_app.engine import turns
from negotiator_app.ui.room import RoomPane
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.fakes.fake_reply import FakeReply
from tests.ui.conftest import until
from tests.ui.room_support import negotiation


def test_the_room_says_it_waits_for_a_silent_server_then_clears(qtbot, arun, monkeypatch):
    monkeypatch.setattr(turns, "WAIT_NOTICE_S", 0.2)
    with FakeLMStudio() as fake:
        async def scenario():
            # The buyer's opening trickles (0.6 s between chunks); the sellers' server then goes silent.
            replies = iter([FakeReply(content='{"message": "Hello, best price?"}', token_delay_s=0.6)])

            async with negotiation(fake, lambda body: next(replies, FakeReply(fault="hang"))) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.show()
                env.bridge.start_room(env.runner)
                await until(lambda: pane.waiting.isVisible(), what="the waiting line")
                assert pane.waiting.text().startswith("waiting for server (")
                assert "no word from Pat yet" in pane.waiting.text()
                await until(lambda: not pane.waiting.isVisible(), what="the next chunk clearing the line")
                await until(lambda: pane.waiting.isVisible() and "no word from Pat" not in pane.waiting.text(),
                            timeout=30, what="a silent seller's waiting line")
        arun.run(scenario())
