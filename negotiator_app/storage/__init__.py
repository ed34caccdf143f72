"""SQLite storage (SQLAlchemy 2): schema and migrations, the store, and the recorder of engine events.

Names are imported on first use: importing SQLAlchemy costs most of a second, and the settings and the stored
records' models are needed long before the database is (the window shows, `negotiator run` asks the server)."""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .errors import StorageError
    from .migrations import SCHEMA_VERSION
    from .models import Debrief, RunEvent, RunRecord, RunSummary, SessionSummary, StoredSession
    from .recorder import Recorder
    from .runs import RunOwnedElsewhere
    from .settings import UserSettings, load_settings, resolve_db_path, save_settings
    from .store import NotFound, Store

_HOMES = {  # name -> the submodule that defines it
    "Store": "store", "NotFound": "store", "StorageError": "errors", "SCHEMA_VERSION": "migrations",
    "Recorder": "recorder", "RunOwnedElsewhere": "runs",
    "StoredSession": "models", "SessionSummary": "models", "RunSummary": "models", "RunRecord": "models",
    "RunEvent": "models", "Debrief": "models",
    "UserSettings": "settings", "load_settings": "settings", "resolve_db_path": "settings", "save_settings": "settings",
}
__all__ = [
    "Store", "NotFound", "StorageError", "SCHEMA_VERSION", "Recorder", "RunOwnedElsewhere",
    "StoredSession", "SessionSummary", "RunSummary", "RunRecord", "RunEvent", "Debrief",
    "UserSettings", "load_settings", "resolve_db_path", "save_settings",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value
