"""The one place that knows where things live: bundled resources and the user's data directories."""
from __future__ import annotations

import sys
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "Negotiator"
DB_FILE = "negotiator.sqlite3"
_SOURCE_ROOT = Path(__file__).resolve().parents[1]


def _dirs() -> PlatformDirs:
    # appauthor=False: on Windows the folder is %LOCALAPPDATA%\Negotiator, not ...\Negotiator\Negotiator.
    return PlatformDirs(APP_NAME, appauthor=False)


def resource_path(*parts: str) -> Path:
    """resources/ in the source tree, or inside a PyInstaller bundle (sys._MEIPASS)."""
    base = Path(getattr(sys, "_MEIPASS", _SOURCE_ROOT))
    return base.joinpath("resources", *parts)


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    return _ensure(Path(_dirs().user_data_dir))


def config_dir() -> Path:
    return _ensure(Path(_dirs().user_config_dir))


def log_dir() -> Path:
    return _ensure(Path(_dirs().user_log_dir))


def default_db_path() -> Path:
    return data_dir() / DB_FILE


def export_dir() -> Path:
    """Where exported logs go unless the person picks another folder (also what retention prunes)."""
    return _ensure(data_dir() / "exports")
