"""The window at start: shown and usable while its database is still being opened behind it."""
from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from negotiator_app.storage import Store
from negotiator_app.storage.async_store import AsyncStore
from tests.ui.conftest import until
from tests.ui.test_setup_form import fill_valid_session
from tests.ui.window_support import closed_port_url


def test_a_session_typed_before_the_store_is_open_is_stored_and_opened_once_it_is(qtbot, kit):
    disk = AsyncStore.opening()

    async def scenario():
        window = kit.window(store=disk)  # a store still opening works too
        window.show()
        window.start()  # reopening the last session waits for the store too
        assert window.store is None
        assert window.sidebar.empty_label.isVisible() and window.sidebar.empty_label.text() == "Loading sessions…"
        (new,) = [b for b in window.welcome.findChildren(QPushButton) if b.text() == "New session"]
        qtbot.mouseClick(new, Qt.MouseButton.LeftButton)
        fill_valid_session(qtbot, window.setup_form)
        qtbot.mouseClick(window.setup_form.create_button, Qt.MouseButton.LeftButton)
        await asyncio.sleep(0.2)
        assert window.host.runtime is None and window.sidebar.names() == []  # waiting for the store
        store = await disk.open(lambda: Store.open(kit.db_path))
        kit.stores.append(store)
        await until(lambda: window.host.runtime is not None, what="the typed session to open")
        assert window.sidebar.names() == ["Typed session"] and not window.sidebar.empty_label.isVisible()
        assert [s.name for s in store.list_sessions()] == ["Typed session"]
        assert window.store is store

    kit.run(scenario())
    disk.close()


def test_a_database_that_cannot_be_opened_hides_the_window_and_says_why(qapp, arun, tmp_path):
    from negotiator_app.app import run_window
    from negotiator_app.ui.error_dialog import ErrorDialog
    from negotiator_app.ui.main_window import MainWindow

    folder = tmp_path / "a folder, not a database"
    folder.mkdir()
    seen: dict = {}

    async def answer_the_dialog():
        def shown():
            return [w for w in qapp.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()]

        await until(lambda: shown(), what="the error dialog")
        (dialog,) = shown()
        seen["title"] = dialog.windowTitle()
        seen["windows shown"] = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        dialog.close()

    async def scenario():
        answering = asyncio.ensure_future(answer_the_dialog())
        code = await run_window(qapp, db_path=folder, base_url=closed_port_url())  # never a real server
        await answering
        return code

    assert arun.run(scenario()) == 1
    assert seen == {"title": "Cannot open the database", "windows shown": []}
