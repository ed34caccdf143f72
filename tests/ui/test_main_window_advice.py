"""What the window says to do about an unreachable server depends on what is open: Settings only affects new
sessions, so an open session is fixed in its own settings (or with --base-url)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from negotiator_app.app import status_client_factory
from negotiator_app.runtime import client_factory
from negotiator_app.storage.settings import load_settings
from negotiator_app.ui.main_window import MainWindow
from negotiator_app.ui.window_state import WindowState
from tests.ui.conftest import until
from tests.ui.window_support import closed_port_url, example


def window_without_override(kit, url: str) -> MainWindow:
    """As launched without --base-url: the session's own URL is used."""
    settings = load_settings(kit.settings_path)
    settings.llm = settings.llm.model_copy(update={"base_url": url})
    window = MainWindow(kit.store(), settings, client_factory(None), status_client_factory,
                        window_state=WindowState(kit.window_state_path))
    window.monitor.interval_s = 0.2
    kit.windows.append(window)
    return window


def test_unreachable_server_advice_for_an_open_session_names_the_session_settings(kit, qtbot):
    url = closed_port_url()
    config = example("skipped_items")
    config = config.model_copy(update={"llm": config.llm.model_copy(update={"base_url": url})})
    sid = kit.store().create_session(config).id

    async def scenario():
        window = window_without_override(kit, url)
        window.show()
        window.start()
        await until(lambda: window.connection.healthy is False, what="the first status")
        assert window.connection.plain_text().endswith("or change the URL in Settings")  # nothing open yet
        await window.open_session(sid)
        text = window.connection.plain_text()
        assert "in Settings" not in text
        assert "this session's Server URL (Edit… → Model server)" in text and "--base-url" in text

        pane = window.host.view.current_pane()
        qtbot.mouseClick(pane.controls.buttons["start"], Qt.MouseButton.LeftButton)
        await until(lambda: pane.banner.kind == "error", what="the room's error")
        banner = pane.banner.label.text()
        assert f"not running at {url}" in banner and "in Settings" not in banner
        assert "Server URL (Edit… → Model server)" in banner

    kit.run(scenario())


def test_with_base_url_on_the_command_line_the_advice_says_so(kit):
    sid = kit.store().create_session(example("skipped_items")).id

    async def scenario():
        window = kit.window()  # the kit starts windows as with --base-url
        window.start()
        await window.open_session(sid)
        await until(lambda: window.connection.healthy is False, what="the status")
        assert window.connection.plain_text().endswith("or start Negotiator with another --base-url")

    kit.run(scenario())
