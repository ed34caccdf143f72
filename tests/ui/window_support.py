"""Shared helpers for main-window tests: a real store in tmp_path, settings in tmp_path, scripted sellers."""
from __future__ import annotations

import asyncio
import json
import socket
import sys
import re
from pathlib import Path

from PySide6.QtWidgets import QApplication

from negotiator_app.app import install_asyncgen_hooks, status_client_factory
from negotiator_app.domain import load_scenario
from negotiator_app.paths import resource_path
from negotiator_app.runtime import client_factory
from negotiator_app.storage import Store
from negotiator_app.storage.settings import load_settings
from negotiator_app.ui.window_state import WindowState
from negotiator_app.ui.main_window import MainWindow


def example(name: str):
    return load_scenario(resource_path("scenarios", f"{name}.json"))


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens once the socket is closed


async def probe_server(url: str, api_key: str | None):
    """What the setup form's Refresh button asks the server, as the app asks it (a status client)."""
    async with status_client_factory(url, api_key) as client:
        return await client.status()


def dealing_responder(body: dict) -> str:
    """Sellers offer their floor; the buyer accepts the first standing offer after one round."""
    system = body["messages"][0]["content"]
    last = body["messages"][-1]["content"]
    if "a buyer." in system:
        if "Start the negotiation" in last:
            return json.dumps({"message": "Hello all, what is your best price?"})
        match = re.search(r"- (.+?): ([\d,.]+) per unit", last)
        if match:
            return json.dumps({"decision": "accept", "seller": match.group(1), "message": "Deal."})
        return json.dumps({"decision": "continue", "seller": None, "message": "Can you do better?"})
    floor = re.search(r"do not go below ([\d,.]+)", last)
    price = float(floor.group(1).replace(",", "")) if floor else None
    return json.dumps({"message": f"For you, {price} per unit. That is my best.", "offer_price": price,
                       "offer_quantity": None})


class WindowKit:
    """Builds MainWindows on one database and one settings file, and shuts them all down at the end."""

    def __init__(self, tmp_path: Path, arun) -> None:
        self.tmp_path = tmp_path
        self.arun = arun
        self.db_path = tmp_path / "negotiator.sqlite3"
        self.settings_path = tmp_path / "settings.json"
        self.window_state_path = tmp_path / "window.ini"
        self.windows: list[MainWindow] = []
        self.stores: list[Store] = []
        # As in app.py: closing the window must not quit the app (and stop the loop) before shutdown ends.
        self._quit_on_close = QApplication.quitOnLastWindowClosed()
        QApplication.setQuitOnLastWindowClosed(False)
        self._hooks = sys.get_asyncgen_hooks()
        install_asyncgen_hooks(arun.loop)  # as run_window does: qasync does not install them itself

    def store(self) -> Store:
        store = Store.open(self.db_path)
        self.stores.append(store)
        return store

    def window(self, base_url: str | None = None, store: Store | None = None) -> MainWindow:
        base_url = base_url or closed_port_url()  # never the real server that may listen on localhost:1234
        settings = load_settings(self.settings_path)
        if base_url and not self.settings_path.exists():
            settings.llm = settings.llm.model_copy(update={"base_url": base_url})
        window = MainWindow(store or self.store(), settings, client_factory(base_url), status_client_factory,
                            base_url_override=base_url, window_state=WindowState(self.window_state_path))
        window.monitor.interval_s = 0.2
        self.windows.append(window)
        return window

    def run(self, coro):
        """Run a scenario and shut its windows down in the same loop run: a task left pending between two
        runs would be stepped by qasync's final processEvents() while no loop is running."""

        async def scenario_then_shutdown():
            try:
                return await coro
            finally:
                for window in self.windows:
                    await window.shutdown()
                await asyncio.get_running_loop().shutdown_asyncgens()

        return self.arun.run(scenario_then_shutdown())

    def close(self) -> None:
        for window in self.windows:
            window.deleteLater()
        sys.set_asyncgen_hooks(*self._hooks)
        for store in self.stores:
            store.close()
        QApplication.setQuitOnLastWindowClosed(self._quit_on_close)
