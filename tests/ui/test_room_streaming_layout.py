"""What streaming costs the transcript's document: a hidden room lays out nothing until it is shown, the
events of one loop turn are laid out once, and what is finally shown is exactly what the server sent."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from negotiator_app.domain import Message, Offer, Role
from negotiator_app.engine import MessageCompleted, MessageStarted, OfferMade, RunFinished, TokenDelta
from negotiator_app.ui.room import RoomPane
from negotiator_app.ui.room.offers import OffersPanel
from negotiator_app.ui.session_view import SessionView
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, negotiation

OPENING = "Good morning Acme, I need five boxes of paper clips.\nWhat is your best price per box?"
REPLY = ("Good morning to you! Our paper clips are sturdy, shiny and never rust; for five boxes I can offer a "
         "price that will make your whole office smile, and delivery is free this week.")


def layouts_of(pane: RoomPane) -> list[tuple[int, int, int]]:
    """Every layout pass of the pane's transcript from now on (one per finished edit of its document)."""
    changes: list[tuple[int, int, int]] = []
    pane.transcript.document().contentsChange.connect(lambda *change: changes.append(change))
    return changes


def widget_updates(pane: RoomPane) -> list[str]:
    """The control buttons and composer widgets whose tooltip or enabled state is set from now on."""
    from PySide6.QtCore import QEvent, QObject

    seen: list[str] = []

    class Watch(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
            if event.type() in (QEvent.Type.ToolTipChange, QEvent.Type.EnabledChange):
                seen.append(watched.objectName() or type(watched).__name__)
            return False

    watch = Watch(pane)
    for widget in [*pane.controls.buttons.values(), pane.composer, pane.composer.edit, pane.composer.send_button]:
        widget.installEventFilter(watch)
    return seen


def test_a_hidden_room_lays_out_nothing_until_shown_then_shows_what_the_server_sent(qtbot, arun):
    with FakeLMStudio(per_token_delay_s=0.002) as fake:
        async def scenario():
            script = Script(opening=OPENING, seller_text=REPLY, decision="walk_away")
            async with negotiation(fake, script, max_rounds=1) as env:
                view = SessionView(env.engine, env.bridge)
                qtbot.addWidget(view)
                view.resize(1100, 700)
                view.show()
                hidden = view.pane("room-3")
                assert view.tabs.currentWidget() is not hidden
                changes = layouts_of(hidden)
                env.bridge.start_room(hidden.runner)
                await until(lambda: env.of_type(RunFinished), what="the run ends")
                assert env.bridge.deltas > 40, "streamed a token at a time"
                assert changes == [], "a room in a background tab costs no layout"
                assert hidden.transcript.toPlainText() == ""

                view.tabs.setCurrentWidget(hidden)
                assert hidden.transcript.waiting_count == 0
                sent = [m.text for m in hidden.runner.transcript]
                assert sent[:2] == [OPENING, REPLY], "what the fake server sent, as the engine read it"
                assert [hidden.transcript.shown_body(b.key) for b in hidden.transcript.bubbles()] == sent
        arun.run(scenario())


def test_the_events_of_one_loop_turn_are_laid_out_once(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script()) as env:
                pane = RoomPane(env.runner, env.bridge)
                qtbot.addWidget(pane)
                pane.resize(900, 600)
                pane.show()
                room, run_id = env.runner.key, "run-under-test"
                env.bus.emit(MessageStarted(room=room, run_id=run_id, stream_id=1, sender="Bolt", role="seller",
                                            recipients=["Pat"], round=1))
                for word in REPLY.split(" "):
                    env.bus.emit(TokenDelta(room=room, run_id=run_id, stream_id=1, text=word + " "))
                (bubble,) = pane.transcript.bubbles()
                await until(lambda: pane.transcript.shown_body(bubble.key) == REPLY + " ", what="the flush")
                await asyncio.sleep(0.05)  # the turn that applied it has ended
                changes = layouts_of(pane)
                touched = widget_updates(pane)

                # As when a reply ends: its completion, its offer and the next message start, in one turn.
                message = Message(seq=2, round=1, sender="Bolt", role=Role.SELLER, recipients=["Pat"], text=REPLY,
                                  created_at=datetime.now(UTC))
                env.bus.emit(MessageCompleted(room=room, run_id=run_id, stream_id=1, message=message))
                env.bus.emit(OfferMade(room=room, run_id=run_id, offer=Offer(
                    seller="Bolt", price_per_unit=7.5, quantity=10, round=1, message_seq=2)))
                env.bus.emit(MessageStarted(room=room, run_id=run_id, stream_id=2, sender="Acme", role="seller",
                                            recipients=["Pat"], round=1))
                assert changes == [], "nothing is laid out inside the turn"
                assert touched == [], "the pane refreshes its controls on every event: unchanged, they are left alone"
                await until(lambda: changes, what="the layout at the end of the turn")
                await asyncio.sleep(0.05)
                assert len(changes) == 1, changes
                text = pane.transcript.toPlainText()
                assert pane.transcript.shown_body(bubble.key) == REPLY
                assert "Offer: 7.50 per unit × 10" in text and "Acme" in text and "typing…" in text
                # The offers table changed one cell: the same table a full rebuild from the offers gives.
                env.bus.emit(OfferMade(room=room, run_id=run_id, offer=Offer(
                    seller="Acme", price_per_unit=20.0, quantity=10, round=1, message_seq=3, binding=False)))  # above its ask
                rebuilt = OffersPanel(env.runner.plan, pane.offers.colors, env.runner.max_rounds)
                qtbot.addWidget(rebuilt)
                rebuilt.set_offers(pane.offers._history)

                def cells(panel: OffersPanel) -> list[tuple[str, str]]:
                    table = panel.table
                    return [(table.item(r, c).text(), table.item(r, c).toolTip())
                            for r in range(table.rowCount()) for c in range(table.columnCount())]

                assert cells(pane.offers) == cells(rebuilt)
                assert any(text.startswith("7.50 × 10") for text, _tip in cells(pane.offers))
                assert any(text.endswith("⚠") for text, _tip in cells(pane.offers))
        arun.run(scenario())


def _message(seq: int, text: str, sender: str = "Bolt") -> Message:
    return Message(seq=seq, round=1, sender=sender, role=Role.SELLER, recipients=["Pat"], text=text,
                   created_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_a_view_in_a_background_tab_catches_up_to_what_a_shown_view_shows(qtbot):
    from PySide6.QtWidgets import QLabel, QTabWidget

    from negotiator_app.ui.room.transcript import TranscriptView
    from negotiator_app.ui.theme import buyer_colors

    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QLabel("the room being read"), "front")
    hidden = TranscriptView(lambda _sender: buyer_colors(hidden.palette()))
    tabs.addTab(hidden, "background")
    shown = TranscriptView(lambda _sender: buyer_colors(shown.palette()))
    qtbot.addWidget(shown)
    tabs.show()
    shown.show()
    keys: dict[int, dict[str, int]] = {id(hidden): {}, id(shown): {}}

    def step(view: TranscriptView, n: int) -> None:
        k = keys[id(view)]
        if n == 0:
            view.add_history([_message(i, f"stored {i}") for i in range(1, 6)])
            k["a"] = view.begin_message("Bolt", "seller", 1, ["Pat"])
            view.append_text(k["a"], "hello ")
            k["b"] = view.begin_message("Acme", "seller", 1, ["Pat"])
        elif n == 1:
            view.append_text(k["a"], "world")
            view.complete(k["a"], _message(10, "hello world"))
            view.attach_offer(Offer(seller="Bolt", price_per_unit=7.0, quantity=3, round=1, message_seq=10))
            view.discard(k["b"], "unreadable")  # nothing said: the bubble goes
            view.add_note("a note")
            k["c"] = view.begin_message("Cogs", "seller", 1, ["Pat"])
            view.append_text(k["c"], "partial")
        else:
            view.append_text(k["c"], " reply")
            view.discard(k["c"], "bad json")  # said something: struck out with the reason

    for n in range(3):
        tabs.setCurrentIndex(0)
        step(shown, n)
        step(hidden, n)
        news = ("stored 1", "world", "reply")[n]
        assert hidden.waiting_count > 0 and news not in hidden.toPlainText(), "out of sight: the document waits"
        tabs.setCurrentIndex(1)
        assert hidden.waiting_count == 0
        assert hidden.toPlainText() == shown.toPlainText()
        assert hidden.document().blockCount() == shown.document().blockCount()
    assert "Offer: 7.00 per unit × 3" in shown.toPlainText() and "✕ discarded: bad json" in shown.toPlainText()

    tabs.setCurrentIndex(0)  # a long absence: the view restarts with the newest items
    for i in range(60):
        key = hidden.begin_message("Bolt", "seller", 2, ["Pat"])
        hidden.append_text(key, f"live {i}")
        hidden.complete(key, _message(100 + i, f"live {i}"))
    tabs.setCurrentIndex(1)
    text = hidden.toPlainText()
    assert hidden.rendered_count() == 40 and "live 59" in text and "live 20\n" in text and "live 19\n" not in text
    assert text.startswith(f"▴ {hidden.hidden_count} earlier items")
    assert hidden.show_earlier() > 0 and "live 19\n" in hidden.toPlainText()
