"""App-wide storage settings (database location, export folder, log retention) kept in a small JSON file."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ..domain.scenario import write_text_atomic

SETTINGS_FILE = "settings.json"


class AppSettings(BaseModel):
    db_path: str | None = None  # None: the default location in the user data directory
    export_dir: str | None = None
    retention_days: int | None = Field(default=None, ge=1)  # None: exported logs are never pruned


def settings_path() -> Path:
    from ..paths import config_dir

    return config_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> AppSettings:
    """Missing or unreadable settings fall back to defaults: a broken settings file must not stop the app."""
    path = path or settings_path()
    try:
        return AppSettings.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError):
        return AppSettings()


def save_settings(settings: AppSettings, path: Path | None = None) -> None:
    write_text_atomic(path or settings_path(), settings.model_dump_json(indent=2) + "\n")


def resolve_db_path(cli_value: str | Path | None = None, settings: AppSettings | None = None) -> Path:
    """`--db` wins over the setting, which wins over the default location."""
    if cli_value:
        return Path(cli_value).expanduser()
    settings = settings or load_settings()
    if settings.db_path:
        return Path(settings.db_path).expanduser()
    from ..paths import default_db_path

    return default_db_path()
