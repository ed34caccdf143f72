"""The person's settings (`UserSettings`): LLM defaults for new sessions, export folder, retention, database
location. One JSON file in the user config folder, read and written only here. The API key is never in it."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from ..domain import LLMSettings
from ..domain.scenario import write_text_atomic
from .credentials import api_keys

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"


class UserSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")  # a key a newer or older version wrote is dropped, not fatal

    llm: LLMSettings = Field(default_factory=LLMSettings)  # defaults for new sessions (its api_key is excluded)
    export_dir: str | None = None  # None: `exports/` in the user data folder
    retention_days: int | None = Field(default=None, ge=1)  # None: exported logs are never pruned
    db_path: str | None = None  # None: the default location in the user data folder
    api_key_stored: bool = False  # a key is in the credential store (the key itself never is in this file)
    _path: Path | None = PrivateAttr(default=None)
    notices: list[str] = Field(default_factory=list, exclude=True)  # what loading changed, to tell the person

    def default_llm(self) -> LLMSettings:
        """LLM settings for a new session: the saved defaults plus the API key from the credential store."""
        return self.llm.model_copy(update={"api_key": api_keys.get(self.api_key_stored)})

    def set_api_key(self, key: str | None) -> bool:
        """Keep the key in the credential store (True) or, where there is none, in memory for this run only."""
        self.api_key_stored = api_keys.set(key)
        return self.api_key_stored

    @property
    def path(self) -> Path:
        """The file these settings were loaded from and are saved to."""
        return self._path or settings_path()

    def exports_folder(self) -> Path:
        """Where exports are offered and what retention prunes."""
        if self.export_dir:
            return Path(self.export_dir).expanduser()
        from ..paths import export_dir

        return export_dir()


def settings_path() -> Path:
    from ..paths import config_dir

    return config_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> UserSettings:
    """Missing or unreadable settings fall back to defaults: a broken settings file must not stop the app.
    A plain-text API key left by an older version is moved to the credential store and the file rewritten."""
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        settings = UserSettings.model_validate(raw)
    except FileNotFoundError:
        settings, raw = UserSettings(), {}
    except (OSError, ValueError, ValidationError) as exc:
        log.warning("settings file %s is unreadable (%s); using defaults", path, exc)
        settings, raw = UserSettings(), {}
    settings._path = path
    plain = _plain_api_key(raw)
    if plain is not None:
        move_plain_api_key(settings, plain, str(path))
        save_settings(settings)
    return settings


def _plain_api_key(raw: object) -> str | None:
    if not isinstance(raw, dict):
        return None
    llm = raw.get("llm")
    for holder in (raw, llm if isinstance(llm, dict) else {}):
        if holder.get("api_key"):
            return str(holder["api_key"])
    return None


def move_plain_api_key(settings: UserSettings, key: str, where: str) -> None:
    """Used by the migrations: keyring if usable, otherwise the key is dropped (kept in memory for this run)."""
    if settings.set_api_key(key):
        settings.notices.append(f"The API key found in plain text in {where} was moved to the credential store.")
    else:
        settings.notices.append(f"The API key found in plain text in {where} was removed from it: this system has "
                                "no credential store, so enter the key again in Settings when you next need it.")
    log.warning(settings.notices[-1])


def save_settings(settings: UserSettings, path: Path | None = None) -> Path:
    path = path or settings._path or settings_path()
    settings._path = path
    write_text_atomic(path, settings.model_dump_json(indent=2) + "\n")
    return path


def resolve_db_path(cli_value: str | Path | None = None, settings: UserSettings | None = None) -> Path:
    """`--db` wins over the setting, which wins over the default location."""
    if cli_value:
        return Path(cli_value).expanduser()
    settings = settings or load_settings()
    if settings.db_path:
        return Path(settings.db_path).expanduser()
    from ..paths import default_db_path

    return default_db_path()
