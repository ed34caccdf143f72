"""Room tabs show their state as drawn icons from the icon set (never a font glyph), and after a relaunch each
tab shows the state of its room's latest stored run."""
from __future__ import annotations

from PySide6.QtCore import Qt

from negotiator_app.domain import RunState
from negotiator_app.ui import icons
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import dealing_responder, example


def _tab_states(view) -> list[tuple[str, int]]:
    return [(view.tabs.tabText(i), view.tabs.tabIcon(i).cacheKey()) for i in range(view.tabs.count())]


def _expected(view, states: list[RunState]) -> list[tuple[str, int]]:
    names = [p.runner.plan.item.name for p in view.panes.values()]
    return [(name, icons.state_icon(state).cacheKey()) for name, state in zip(names, states)]


def test_state_icons_are_drawn_and_come_back_after_a_relaunch(kit, arun, qtbot):
    with FakeLMStudio(per_token_delay_s=0.01) as fake:
        fake.responder = dealing_responder
        store = kit.store()
        sid = store.create_session(example("office_supplies")).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.resize(1280, 800)
            window.show()
            await window.open_session(sid)
            view = window.host.view
            first, second, _third = view.panes.values()
            qtbot.mouseClick(first.controls.buttons["start"], Qt.MouseButton.LeftButton)
            await until(lambda: first.runner.state == RunState.DECIDED, what="a deal in the first room")
            bar = view.tabs.tabBar()
            qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
            qtbot.mouseClick(second.controls.buttons["start"], Qt.MouseButton.LeftButton)
            await until(lambda: second.runner.transcript, what="the second room to be talking")
            await until(lambda: second.controls.buttons["stop"].isEnabled(), what="Stop to be enabled")
            qtbot.mouseClick(second.controls.buttons["stop"], Qt.MouseButton.LeftButton)
            await until(lambda: second.runner.state == RunState.STOPPED and not second.runner.running, what="the stop")
            live = [RunState.DECIDED, RunState.STOPPED, RunState.IDLE]
            await until(lambda: _tab_states(view) == _expected(view, live), what="the tab icons")
            for i in range(2):
                icon = view.tabs.tabIcon(i)
                assert not icon.isNull() and not icon.pixmap(16, 16).isNull()
                assert view.tabs.tabText(i) == list(view.panes.values())[i].runner.plan.item.name, "no glyph"
            assert view.tabs.tabIcon(2).isNull(), "a room that never ran has no state icon"
            view.tabs.tabBar().grab().save("/tmp/roomui_tabs.png")
            window.close()
            await until(lambda: not window.isVisible(), what="the window to close")

            again = kit.window(fake.base_url, store=kit.store())  # a relaunch: same database, same settings
            again.resize(1280, 800)
            again.show()
            again.start()
            await until(lambda: again.host.runtime is not None and again.host.runtime.session_id == sid,
                        what="the session to reopen")
            reopened = again.host.view
            assert all(p.runner.state == RunState.IDLE for p in reopened.panes.values()), "nothing runs after a relaunch"
            await until(lambda: _tab_states(reopened) == _expected(reopened, live), what="the stored states' icons")

        kit.run(scenario())
