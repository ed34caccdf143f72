"""What the window looks like between runs (QSettings INI): geometry, dock/toolbar state, the last open session.
The person's settings are not here: they live in `UserSettings` (storage/settings.py)."""
from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

if TYPE_CHECKING:  # the settings' models (pydantic) are not needed for the window's first paint
    from ..storage.settings import UserSettings

WINDOW_STATE_FILE = "window.ini"
ORGANIZATION = "Negotiator"
APPLICATION = "Negotiator"
_LEGACY_LLM_FIELDS = ("base_url", "model", "temperature", "max_tokens", "max_rounds", "concurrency", "context_tokens")


class WindowState:
    """Typed access to the window's QSettings file, kept in the user config folder beside settings.json."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            from ..paths import config_dir

            path = config_dir() / WINDOW_STATE_FILE
        self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self.qsettings.sync()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def set_geometry(self, geometry: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def set_window_state(self, state: QByteArray) -> None:
        self.qsettings.setValue("window/state", state)

    def last_session_id(self) -> str | None:
        value = self.qsettings.value("session/last_opened")
        return str(value) if value not in (None, "") else None

    def set_last_session_id(self, session_id: object | None) -> None:
        self.qsettings.setValue("session/last_opened", "" if session_id is None else str(session_id))


def migrate_legacy_qsettings(settings: UserSettings, legacy: QSettings | None = None) -> bool:
    """Older versions kept LLM defaults and the API key in plain text in Qt's default INI. Move the defaults into
    `settings` (unless it already has its own file), the key into the credential store, and delete the group."""
    legacy = legacy or QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)
    if "llm" not in legacy.childGroups():
        return False
    from ..domain import LLMSettings
    from ..storage.settings import move_plain_api_key, save_settings

    values = {name: legacy.value(f"llm/{name}") for name in _LEGACY_LLM_FIELDS}
    values = {k: v for k, v in values.items() if v not in (None, "")}
    key = str(legacy.value("llm/api_key", "") or "") or None
    path = settings.path
    if not path.exists():  # the new file wins: it was written after the old one
        try:
            settings.llm = LLMSettings.model_validate(values)
        except ValueError:
            pass  # a value that no longer validates: keep the built-in defaults
    if key:
        move_plain_api_key(settings, key, legacy.fileName())
    legacy.remove("llm")
    legacy.sync()
    save_settings(settings)
    return True
