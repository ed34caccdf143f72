"""The session runtime, Qt-free: the one place that wires client, bus, recorder and engine, owns room tasks,
and runs the start-up sequence; the window, the CLI, the smoke test and the tests all use it."""
from .notices import Notice, RoomFailed, RoomRunning, RunStored, ServerContact, StorageFailed, StorageRecovered
from .session import ClientFactory, Listener, SessionRuntime, client_factory, client_for
from .startup import OpenedStore, open_store

__all__ = [
    "ClientFactory", "Listener", "SessionRuntime", "client_factory", "client_for",
    "Notice", "RoomFailed", "RoomRunning", "RunStored", "ServerContact", "StorageFailed", "StorageRecovered",
    "OpenedStore", "open_store",
]
