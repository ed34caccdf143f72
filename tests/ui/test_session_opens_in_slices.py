"""Opening a session with long stored runs never builds everything in one go: the loop keeps turning while
the panes are built and their transcripts fill, every stored message ends up shown in order (older ones read
from the store as the reader scrolls up), and text streamed while a pane fills lands below the stored ones."""
from __future__ import annotations

from PySide6.QtCore import QTimer, Qt

from negotiator_app.ui.room import RoomPane
from negotiator_app.ui.room.transcript import TranscriptView
from negotiator_app.ui.theme import buyer_colors
from tests.benchmarks.bench_ui_stalls import store_session
from tests.benchmarks.bench_ui_streaming import history, message_text
from tests.ui.conftest import until

PER_ROOM = 120


def _shown_texts(pane: RoomPane) -> list[str]:
    """The message bodies in the transcript's document, top to bottom."""
    transcript = pane.transcript
    return [transcript.body_text(key) for key in transcript._order if key in transcript._frames]


def test_a_long_session_opens_while_the_loop_keeps_turning_and_shows_every_message_in_order(kit, qtbot):
    store = kit.store()
    sid = store_session(store, PER_ROOM)  # ten rooms, each with a stopped run of PER_ROOM messages

    async def scenario():
        window = kit.window(store=store)
        window.resize(1400, 900)
        window.show()
        await window.sidebar.loaded
        seen: list[tuple[int, int]] = []  # at each tick: panes built, bubbles laid out in the shown pane

        def tick() -> None:
            view = window.host.view
            if view is not None:
                current = view.current_pane()
                seen.append((len(view.findChildren(RoomPane)), current.transcript.rendered_count() if current else 0))

        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(0)
        try:
            await window.open_session(sid)
            await window.host.history_loaded
            view = window.host.view
            await until(lambda: len(view.findChildren(RoomPane)) == 10
                        and view.current_pane().transcript.rendered_count() == 40, what="the shown pane to fill")
        finally:
            timer.stop()
        assert seen and seen[0][0] < len(view.panes), "the loop turned before every pane was built"
        assert [built for built, _ in seen] == sorted(built for built, _ in seen), "one more pane at a time"
        rendered = [count for _, count in seen]
        assert any(0 < count < 40 for count in rendered), "the shown transcript filled over several loop turns"
        assert rendered == sorted(rendered)

        pane = view.current_pane()
        assert isinstance(pane, RoomPane) and len(view.panes) == 10
        assert _shown_texts(pane) == [message_text(seq) for seq in range(PER_ROOM - 39, PER_ROOM + 1)]
        assert pane.transcript.hidden_count == PER_ROOM - 40
        assert f"{PER_ROOM - 40} earlier items" in pane.transcript.toPlainText()

        # Scrolling to the top reads the older messages from the store, a page at a time, until all are shown.
        while pane.transcript.hidden_count:
            before = pane.transcript.hidden_count
            bar = pane.transcript.verticalScrollBar()
            bar.setValue(bar.minimum())
            await until(lambda: pane.transcript.hidden_count < before, what="an earlier page to be read")
        assert _shown_texts(pane) == [message_text(seq) for seq in range(1, PER_ROOM + 1)]
        assert "earlier items" not in pane.transcript.toPlainText()

        # A room whose tab opens later shows its own run, in order, the same way.
        qtbot.mouseClick(view.tabs.tabBar(), Qt.MouseButton.LeftButton, pos=view.tabs.tabBar().tabRect(9).center())
        last = view.current_pane()
        assert last is view.panes["room-10"]
        await until(lambda: not last.transcript.filling(), what="the last room to fill")
        assert _shown_texts(last) == [message_text(seq) for seq in range(PER_ROOM - 39, PER_ROOM + 1)]

    kit.run(scenario())


def test_a_reply_streaming_while_a_stored_run_fills_lands_below_it(qtbot, arun):
    from negotiator_app.ui.room.transcript import FILL_SLICE

    view = TranscriptView(lambda _s: buyer_colors(view.palette()))
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    stored = history(35)

    async def scenario():
        view.add_history(stored.messages, stored.offers, window=40, sliced=True)
        assert view.filling() and view.rendered_count() == FILL_SLICE, "only the newest slice at once"
        key = view.begin_message("Bolt", "seller", 9, ["Pat"])  # a live reply begins before the fill ends
        view.append_text(key, "live words")
        await until(lambda: not view.filling(), what="the stored run to fill")
        view.append_text(key, " and more")
        bodies = [view.body_text(k) for k in view._order if k in view._frames]
        assert bodies == [message_text(seq) for seq in range(1, 36)] + ["live words and more"]
        assert view.toPlainText().rstrip().endswith("live words and more")

    arun.run(scenario())


def test_older_messages_read_on_demand_take_their_offers_and_violations_along(qtbot):
    from negotiator_app.domain import Violation, ViolationKind

    view = TranscriptView(lambda _s: buyer_colors(view.palette()))
    qtbot.addWidget(view)
    stored = history(15)
    messages = [m for m in stored.messages if m.seq != 4]  # message 4 was never stored (say, a discarded reply)
    on_3, on_4 = (Violation(kind=ViolationKind.OFFER_BELOW_FLOOR, agent="Acme", attempted=f"{n}.00", limit="5.00",
                            round=1, message_seq=n) for n in (3, 4))
    view.add_history(messages[-5:], stored.offers, [on_3, on_4], unread=len(messages) - 5)
    asked: list[bool] = []
    view.earlier_wanted.connect(lambda: asked.append(True))
    assert view.hidden_count == 9 and "9 earlier items" in view.toPlainText()
    assert view.show_earlier() == 0 and asked == [True], "nothing older is held: it is asked for"
    assert view.show_earlier() == 0 and asked == [True], "asked once until answered"

    assert view.prepend_history(messages[:-5], stored.offers) == 10  # nine messages and the orphan's line
    assert view.hidden_count == 0 and "earlier items" not in view.toPlainText()
    bubbles = {b.message.seq: b for b in view.bubbles() if b.message is not None}
    assert sorted(bubbles) == [m.seq for m in messages]
    assert bubbles[3].violations == [on_3] and bubbles[3].offer == next(o for o in stored.offers if o.message_seq == 3)
    text = view.toPlainText()
    assert text.index("4.00 — limit: 5.00") < text.index(message_text(1)), "the orphan violation is shown on top"
    assert [view.body_text(k) for k in view._order if k in view._bubbles] == [m.text for m in messages]
