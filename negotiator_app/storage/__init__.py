"""SQLite storage (SQLAlchemy 2): schema and migrations, the store, and the recorder of engine events.

Names are imported on first use: importing SQLAlchemy costs most of a second, and the settings and the stored
records' models are needed long before the database is (the window shows, `negotiator run` asks the server)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_names import name_loader

if TYPE_CHECKING:
    from .errors import StorageError
    from .migrations import SCHEMA_VERSION
    from .models import Debrief, RunEvent, RunRecord, RunSummary, SessionSummary, StoredSession
    from .recorder import Recorder
    from .runs import RunOwnedElsewhere
    from .settings import UserSettings, load_settings, resolve_db_path, save_settings
    from .store import NotFound, Store

__all__ = [
    "Store", "NotFound", "StorageError", "SCHEMA_VERSION", "Recorder", "RunOwnedElsewhere",
    "StoredSession", "SessionSummary", "RunSummary", "RunRecord", "RunEvent", "Debrief",
    "UserSettings", "load_settings", "resolve_db_path", "save_settings",
]
__getattr__ = name_loader(__name__, {
    "errors": ["StorageError"], "migrations": ["SCHEMA_VERSION"], "recorder": ["Recorder"], "runs": ["RunOwnedElsewhere"],
    "models": ["Debrief", "RunEvent", "RunRecord", "RunSummary", "SessionSummary", "StoredSession"],
    "settings": ["UserSettings", "load_settings", "resolve_db_path", "save_settings"], "store": ["NotFound", "Store"],
}, globals())
