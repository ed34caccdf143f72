"""SQLite storage (SQLAlchemy 2): schema and migrations, the store, and the recorder of engine events."""
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
