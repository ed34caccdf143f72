"""Opening sessions from the sidebar with the mouse: one view at a time, selection and shown session agree."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.ui.conftest import until
from tests.ui.window_support import dealing_responder, example


def item_center(window, session_id):
    """Where a person points at a session's line in the sidebar (viewport coordinates)."""
    sidebar = window.sidebar
    row = sidebar.session_ids().index(session_id)
    return sidebar.list.visualItemRect(sidebar.list.item(row)).center()


def views_in_host(window) -> int:
    return window.host.body.count() - 1  # the header row, then one item per added session view


async def settled(window):
    await until(lambda: not window.tasks, what="opening to finish")


def test_double_click_opens_one_view_and_a_single_click_opens_too(kit, qtbot):
    store = kit.store()
    first = store.create_session(example("office_supplies")).id
    second = store.create_session(example("skipped_items")).id

    async def scenario():
        window = kit.window(store=store)
        window.show()
        await window.sidebar.loaded  # the list is read on the store's thread
        viewport = window.sidebar.list.viewport()
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=item_center(window, first))
        await settled(window)
        assert window.host.runtime.session_id == first
        assert views_in_host(window) == 1
        height = window.height()

        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=item_center(window, second))
        await settled(window)
        assert window.host.runtime.session_id == second and views_in_host(window) == 1
        assert window.sidebar.selected_id() == second
        assert window.windowTitle().startswith(example("skipped_items").name)
        assert window.height() == height  # never grown by a stacked view

        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=item_center(window, first))  # one click
        await settled(window)
        assert window.host.runtime.session_id == first and views_in_host(window) == 1

        # Two sessions asked for in a row: the second replaces the first, never adds a view.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=item_center(window, second))
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=item_center(window, first))
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=item_center(window, second))
        await settled(window)
        assert window.host.runtime.session_id == second and views_in_host(window) == 1
        assert window.sidebar.selected_id() == second

    kit.run(scenario())


def test_cancelling_a_switch_puts_the_selection_back_on_the_shown_session(kit, qtbot):
    with FakeLMStudio(per_token_delay_s=0.05) as fake:
        fake.responder = dealing_responder
        store = kit.store()
        first = store.create_session(example("office_supplies")).id
        second = store.create_session(example("skipped_items")).id

        async def scenario():
            window = kit.window(fake.base_url, store=store)
            window.show()
            await window.open_session(first)
            window.host.view.start_all()
            await until(lambda: window.host.running_rooms(), what="rooms running")
            viewport = window.sidebar.list.viewport()
            qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=item_center(window, second))
            box = window.dialog
            assert isinstance(box, QMessageBox) and box.isVisible() and "Stop them" in box.text()
            box.button(QMessageBox.StandardButton.Cancel).click()
            await settled(window)
            assert window.host.runtime.session_id == first and window.host.running_rooms()
            assert window.sidebar.selected_id() == first
            assert views_in_host(window) == 1

            qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=item_center(window, second))
            next(b for b in window.dialog.buttons() if b.text() == "Stop and switch").click()
            await settled(window)
            assert window.host.runtime.session_id == second and views_in_host(window) == 1
            assert window.sidebar.selected_id() == second

        kit.run(scenario())


def test_the_list_taking_the_focus_with_no_session_shown_opens_nothing(kit, qtbot):
    """Back from a question with no session shown, the list gets the focus and makes its first line current by
    itself: in a real window that opened the session, which asked the discard question again, endlessly."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent
    from PySide6.QtWidgets import QApplication

    store = kit.store()
    sid = store.create_session(example("office_supplies")).id

    async def scenario():
        window = kit.window(store=store)
        window.show()
        await window.sidebar.loaded
        asked: list[int] = []
        window.sidebar.open_requested.connect(asked.append)
        window.sidebar.select(None)
        focus_back = QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.ActiveWindowFocusReason)
        QApplication.sendEvent(window.sidebar.list, focus_back)  # as when the question's window closes
        assert window.sidebar.list.currentItem() is not None  # the list did pick a line by itself
        assert asked == [] and window.host.runtime is None
        qtbot.mouseClick(window.sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=item_center(window, sid))
        assert asked == [sid]  # a click still opens it

    kit.run(scenario())
