"""The one place that knows where things live: bundled resources and the user's data directories."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "Negotiator"
DB_FILE = "negotiator.sqlite3"
# One folder holding data/, config/ and log/ instead of the platform's: the smoke test and the tests use it so
# that they never read or write the person's real settings and data (platformdirs ignores XDG_* on Windows/macOS).
USER_DIR_ENV = "NEGOTIATOR_USER_DIR"
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


def _user_dir(kind: str) -> Path:
    override = os.environ.get(USER_DIR_ENV)
    if override:
        return _ensure(Path(override) / kind)
    return _ensure(Path(getattr(_dirs(), f"user_{kind}_dir")))


def data_dir() -> Path:
    return _user_dir("data")


def config_dir() -> Path:
    return _user_dir("config")


def log_dir() -> Path:
    return _user_dir("log")


def user_dir_environment(root: Path) -> dict[str, str]:
    """Environment variables that send every user folder (ours, Qt's, XDG's, the home folder) under `root`
    and keep keyring away from the person's credential store."""
    env = {USER_DIR_ENV: str(root / "negotiator"), "HOME": str(root / "home"), "USERPROFILE": str(root / "home"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # never the person's credential store
    for name, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"),
                      ("XDG_CACHE_HOME", "cache")):
        env[name] = str(root / "home" / sub)
    return env


@contextmanager
def temporary_user_dirs(root: Path) -> Iterator[dict[str, str]]:
    """Point every user folder under `root` for the duration, then restore the environment."""
    env = user_dir_environment(root)
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield env
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def default_db_path() -> Path:
    return data_dir() / DB_FILE


def export_dir() -> Path:
    """Where exported logs go unless the person picks another folder (also what retention prunes)."""
    return _ensure(data_dir() / "exports")
