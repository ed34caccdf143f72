"""SessionView: a pane per room as tabs or a grid, Start all, skipped items, operator view for all."""
from __future__ import annotations

from negotiator_app.domain import RunState
from negotiator_app.engine import RunFinished
from negotiator_app.ui.room import RoomPane
from negotiator_app.ui.session_view import SessionView
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.room_support import Script, negotiation


def test_tabs_grid_skipped_items_operator_view_and_start_all(qtbot, arun):
    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(decision="walk_away"), max_rounds=1) as env:
                view = SessionView(env.engine, env.bridge)
                qtbot.addWidget(view)
                view.resize(1100, 700)
                view.show()
                assert list(view.panes) == ["room-1", "room-3"]
                assert view.tabs.count() == 2 and view.tabs.tabText(1) == "Paper clips"
                assert isinstance(view.pane("room-3"), RoomPane) and view.pane("room-3").runner.key == "room-3"
                assert view.skipped_label.isVisibleTo(view)
                assert "Desk lamp" in view.skipped_label.text() and "no seller stocks this item" in view.skipped_label.text()

                view.select_room(1)
                assert view.tabs.currentWidget() is view.pane("room-3")

                view.operator_toggle.setChecked(True)
                assert all(p.offers.operator_view for p in view.panes.values())

                view.grid_toggle.setChecked(True)
                assert view.tabs.count() == 0 and view.stack.currentWidget() is view.grid_scroll
                assert all(view.grid.indexOf(p) >= 0 and p.isVisible() for p in view.panes.values())
                assert not view.pane("room-1").offers.isVisibleTo(view), "grid panes are compact"

                assert sorted(view.start_all()) == ["room-1", "room-3"]
                assert sorted(env.bridge.running_rooms()) == ["room-1", "room-3"]
                await until(lambda: len(env.of_type(RunFinished)) == 2, what="both rooms end")
                assert {r.state for r in env.engine.rooms.values()} == {RunState.NO_DEAL}

                view.set_grid_mode(False)
                assert view.tabs.count() == 2 and view.tabs.currentWidget() is view.pane("room-3")
                assert not view.pane("room-1").offers.isHidden()
                assert view.tabs.tabText(0) == "USB-C cable" and not view.tabs.tabIcon(0).isNull()
        arun.run(scenario())


def test_a_hidden_tab_buffers_streamed_text_and_catches_up_when_shown(qtbot, arun):
    from negotiator_app.engine import MessageStarted, TokenDelta

    with FakeLMStudio() as fake:
        async def scenario():
            async with negotiation(fake, Script(decision="walk_away"), max_rounds=1) as env:
                view = SessionView(env.engine, env.bridge)
                qtbot.addWidget(view)
                view.resize(1100, 700)
                view.show()
                hidden = view.pane("room-3")
                assert view.tabs.currentWidget() is not hidden and not hidden.isVisible()
                run_id = hidden.runner.run_id
                env.bus.emit(MessageStarted(room="room-3", run_id=run_id, stream_id=7, sender="Bolt", role="seller",
                                            recipients=["Pat"], round=1))
                for word in ("Hello ", "from ", "a ", "hidden ", "tab"):
                    env.bus.emit(TokenDelta(room="room-3", run_id=run_id, stream_id=7, text=word))
                await until(lambda: env.bridge.flushes >= 1, what="the flush reaches the hidden pane")
                (bubble,) = hidden.transcript.bubbles()
                assert bubble.text == "Hello from a hidden tab"
                assert hidden.transcript.toPlainText() == "", "a hidden tab lays out nothing, not even the bubble"
                assert hidden.transcript.waiting_count == 1

                view.tabs.setCurrentWidget(hidden)
                assert hidden.transcript.waiting_count == 0
                assert hidden.transcript.body_text(bubble.key) == "Hello from a hidden tab"
                assert "Hello from a hidden tab" in hidden.transcript.toPlainText()
        arun.run(scenario())
