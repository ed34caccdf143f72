"""The session runtime, Qt-free: the one place that wires client, bus, recorder and engine, owns room tasks,
and runs the start-up sequence; the window, the CLI, the smoke test and the tests all use it.

Names are imported on first use: building a client (runtime.clients) must not load the engine and the store."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_names import name_loader

if TYPE_CHECKING:
    from .clients import ClientFactory, client_factory, client_for
    from .notices import Notice, RoomFailed, RoomRunning, RunStored, ServerContact, StorageFailed, StorageRecovered
    from .session import Listener, SessionRuntime
    from .startup import OpenedStore, open_store

__all__ = [
    "ClientFactory", "Listener", "SessionRuntime", "client_factory", "client_for",
    "Notice", "RoomFailed", "RoomRunning", "RunStored", "ServerContact", "StorageFailed", "StorageRecovered",
    "OpenedStore", "open_store",
]
__getattr__ = name_loader(__name__, {
    "clients": ["ClientFactory", "client_factory", "client_for"],
    "notices": ["Notice", "RoomFailed", "RoomRunning", "RunStored", "ServerContact", "StorageFailed",
                "StorageRecovered"],
    "session": ["Listener", "SessionRuntime"], "startup": ["OpenedStore", "open_store"],
}, globals())
