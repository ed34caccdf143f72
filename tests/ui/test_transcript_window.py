"""A long transcript keeps a bounded window of items in the document; older ones come back on scroll-up."""
from __future__ import annotations

from datetime import UTC, datetime

from negotiator_app.domain import Message, Role
from negotiator_app.ui.room.transcript import TRIM_AT, WINDOW, TranscriptView
from negotiator_app.ui.theme import buyer_colors


def _messages(n: int) -> list[Message]:
    now = datetime.now(UTC)
    return [Message(seq=i, round=1, sender="Bolt", role=Role.SELLER, recipients=["Pat"], text=f"message {i}",
                    created_at=now) for i in range(1, n + 1)]


def test_a_long_stored_run_renders_its_newest_items_and_pages_older_ones_in(qtbot):
    view = TranscriptView(lambda _s: buyer_colors(view.palette()))
    qtbot.addWidget(view)
    view.add_history(_messages(WINDOW + 100))
    assert view.rendered_count() == WINDOW and view.hidden_count == 100
    assert len(view.bubbles()) == WINDOW + 100 and view.body_text(view.bubbles()[0].key) == "message 1"
    text = view.toPlainText()
    assert f"message {WINDOW + 100}" in text and "message 100\n" not in text and "100 earlier items" in text
    assert view.show_earlier() == 100
    assert view.hidden_count == 0 and "message 1\n" in view.toPlainText() and "earlier items" not in view.toPlainText()


def test_a_live_transcript_drops_its_oldest_items_while_the_reader_follows(qtbot):
    view = TranscriptView(lambda _s: buyer_colors(view.palette()))
    qtbot.addWidget(view)
    for message in _messages(TRIM_AT):
        view.add_message(message)
    key = view.begin_message("Bolt", "seller", 2, ["Pat"])
    view.append_text(key, "still streaming")
    assert view.rendered_count() == WINDOW and view.hidden_count == TRIM_AT + 1 - WINDOW
    assert "still streaming" in view.toPlainText()
    view.show_earlier(10)
    assert view.rendered_count() == WINDOW + 10 and not view.follow
