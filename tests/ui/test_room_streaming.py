"""The transcript streams live from the real fake server, keeps stopped messages, and scrolls politely."""
from __future__ import annotations

from datetime import UTC, datetime

from negotiator_app.domain import Message, Role, UsageInfo
from negotiator_app.engine import MessageCompleted, MessageStarted, RunFinished
from negotiator_app.domain import RunState
from negotiator_app.ui.room import RoomPane, TranscriptView
from negotiator_app.ui.room.transcript import LINE_SEPARATOR
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, negotiation

LONG = ("Well hello there, valued customer, our cables are the finest in the whole county and every one of them "
        "is tested twice before it ever leaves the warehouse.")


def test_text_appears_before_the_message_completes(qtbot, arun):
    with FakeLMStudio(per_token_delay_s=0.02) as fake:
        async def scenario():
            async with negotiation(fake, Script(opening=LONG)) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.show()
                env.bridge.start_room(env.runner)
                await until(lambda: "finest" in pane.transcript.toPlainText(), what="streamed text")
                assert not env.of_type(MessageCompleted), "text must show while the message is still streaming"
                bubbles = pane.transcript.bubbles()
                assert len(bubbles) == 1 and bubbles[0].streaming and bubbles[0].sender == "Pat"
                assert "typing…" in pane.transcript.header_text(bubbles[0].key)
                partial = pane.transcript.body_text(bubbles[0].key)
                assert partial and LONG.startswith(partial) and partial != LONG
                await until(lambda: env.of_type(MessageCompleted), what="completion")
                assert pane.transcript.body_text(bubbles[0].key) == LONG
                assert "typing…" not in pane.transcript.header_text(bubbles[0].key)
        arun.run(scenario())


def test_stop_mid_stream_keeps_the_partial_message_marked_interrupted(qtbot, arun):
    with FakeLMStudio(per_token_delay_s=0.03) as fake:
        async def scenario():
            async with negotiation(fake, Script(opening=LONG)) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                env.bridge.start_room(env.runner)
                await until(lambda: "customer" in pane.transcript.toPlainText(), what="some text")
                assert pane.controls.buttons["stop"].isEnabled()
                pane.controls.buttons["stop"].click()
                await until(lambda: env.of_type(RunFinished), what="run finished")
                assert env.runner.state == RunState.STOPPED
                [bubble] = pane.transcript.bubbles()
                assert bubble.message is not None and bubble.message.interrupted
                text = pane.transcript.toPlainText()
                assert "(interrupted)" in text and "customer" in text
                assert "Stopped by you" in text
                assert not pane.controls.buttons["stop"].isEnabled() and pane.controls.buttons["again"].isEnabled()
        arun.run(scenario())


def test_hidden_reasoning_is_collapsed_and_details_are_in_the_tooltip(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            script = Script(opening="Hi all, best price for ten cables?", reasoning="SECRET PLAN: lowball them hard")
            async with negotiation(fake, script) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.resize(900, 600)
                pane.show()
                env.bridge.start_room(env.runner)
                await until(lambda: env.of_type(MessageCompleted), what="opening")
                env.runner.stop()
                bubble = pane.transcript.bubbles()[0]
                assert "SECRET" not in pane.transcript.body_text(bubble.key)
                assert "SECRET" not in pane.transcript.toPlainText(), "reasoning starts collapsed"
                assert "▸ reasoning" in pane.transcript.toPlainText()
                pane.transcript.anchorClicked.emit(f"reasoning:{bubble.key}")
                assert "SECRET PLAN" in pane.transcript.toPlainText()
                tip = bubble.tooltip()
                assert "round 1" in tip and "tokens" in tip and "tokens/s" in tip
                cursor = pane.transcript.document().find("best price")
                point = pane.transcript.cursorRect(cursor).center()
                assert pane.transcript.key_at(point) == bubble.key
        arun.run(scenario())


def _message(seq: int, text: str, sender: str = "Bolt") -> Message:
    return Message(seq=seq, round=1, sender=sender, role=Role.SELLER if sender != "Pat" else Role.BUYER,
                   recipients=["Pat"], text=text, created_at=datetime.now(UTC),
                   usage=UsageInfo(completion_tokens=12, tokens_per_s=30.5))


def test_auto_scroll_lets_go_while_the_reader_scrolls_up_and_resumes_at_the_bottom(qtbot):
    view = TranscriptView(lambda sender: _colors())
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    for seq in range(60):
        view.add_message(_message(seq, f"message number {seq} " * 4))
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    assert bar.value() == bar.maximum(), "follows while at the bottom"
    bar.setValue(0)  # the reader scrolls up
    key = view.begin_message("Acme", "seller", 2, ["Pat"])
    for _ in range(20):
        view.append_text(key, "more streamed words that grow the bubble\n")
    assert bar.value() == 0 and bar.maximum() > 0, "does not yank the reader back down"
    bar.setValue(bar.maximum())  # back at the bottom: following resumes
    for _ in range(20):
        view.append_text(key, "and still more words\n")
    assert bar.value() == bar.maximum()
    assert view.body_text(key).count("\n") == 40 and LINE_SEPARATOR not in view.body_text(key)
    assert view.document().findBlock(view._frames[key].firstPosition()).next().text().count(LINE_SEPARATOR) == 40


def _colors():
    from PySide6.QtWidgets import QApplication

    from negotiator_app.ui import theme
    return theme.seller_colors(0, QApplication.palette())


def test_message_events_map_to_one_bubble_per_message(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(prices={"Bolt": 7.0, "Acme": 9.0}), max_rounds=2) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                env.bridge.start_room(env.runner)
                await until(lambda: env.of_type(RunFinished), what="run end")
                completed = env.of_type(MessageCompleted)
                assert len(pane.transcript.bubbles()) == len(env.of_type(MessageStarted)) == len(completed)
                # Bubbles are created in start order and completion order may differ: compare as sets.
                texts = sorted(pane.transcript.body_text(b.key) for b in pane.transcript.bubbles())
                assert texts == sorted(e.message.text for e in completed)
        arun.run(scenario())


def test_discarded_reply_is_struck_out_with_its_reason_or_removed_when_empty(qtbot):
    view = TranscriptView(lambda sender: _colors())
    qtbot.addWidget(view)
    kept = view.begin_message("Bolt", "seller", 1, ["Pat"])
    view.append_text(kept, "{garbled json")
    empty = view.begin_message("Acme", "seller", 1, ["Pat"])
    view.discard(kept, "unreadable reply: no message field")
    view.discard(empty, "stopped before any text arrived")
    assert [b.sender for b in view.bubbles()] == ["Bolt"]
    assert "Acme" not in view.toPlainText()
    assert "✕ discarded: unreadable reply: no message field" in view.toPlainText()
    cursor = view.document().find("garbled")
    assert cursor.charFormat().fontStrikeOut()
