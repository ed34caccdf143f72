"""Settings that outlive a run of the app (QSettings): window geometry, last session, LLM defaults."""
from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from PySide6.QtCore import QByteArray, QSettings

from ..domain import LLMSettings

ORGANIZATION = "Negotiator"
APPLICATION = "Negotiator"

_LLM_FIELDS = ("base_url", "model", "temperature", "max_tokens", "max_rounds", "concurrency", "context_tokens")


class AppSettings:
    """Typed access to QSettings. Tests pass `path` so they never touch the user's real settings."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is not None:
            self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self.qsettings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                                       ORGANIZATION, APPLICATION)

    def sync(self) -> None:
        self.qsettings.sync()

    # ----- window -------------------------------------------------------------------------------

    def geometry(self) -> QByteArray | None:
        value = self.qsettings.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, geometry: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)

    def window_state(self) -> QByteArray | None:
        value = self.qsettings.value("window/state")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_state(self, state: QByteArray) -> None:
        self.qsettings.setValue("window/state", state)

    # ----- sessions -----------------------------------------------------------------------------

    def last_session_id(self) -> str | None:
        value = self.qsettings.value("session/last_opened")
        return str(value) if value not in (None, "") else None

    def set_last_session_id(self, session_id: object | None) -> None:
        self.qsettings.setValue("session/last_opened", "" if session_id is None else str(session_id))

    # ----- LLM defaults for new sessions -------------------------------------------------------

    def api_key(self) -> str | None:
        return str(self.qsettings.value("llm/api_key", "") or "") or None

    def set_api_key(self, key: str | None) -> None:
        self.qsettings.setValue("llm/api_key", key or "")

    def default_llm(self) -> LLMSettings:
        """The defaults for a new session; a value that no longer validates falls back to the built-in one."""
        values: dict[str, object] = {}
        for name in _LLM_FIELDS:
            raw = self.qsettings.value(f"llm/{name}")
            if raw not in (None, ""):
                values[name] = raw
        try:
            llm = LLMSettings.model_validate(values)
        except ValidationError:
            llm = LLMSettings()
        return llm.model_copy(update={"api_key": self.api_key()})

    def set_default_llm(self, llm: LLMSettings) -> None:
        for name in _LLM_FIELDS:
            self.qsettings.setValue(f"llm/{name}", getattr(llm, name))
        self.set_api_key(llm.api_key)
