"""The LLM API key: kept in the operating system's credential store (keyring) when one is usable, otherwise only
in this process's memory: it is never written to a file."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

SERVICE = "Negotiator"
ACCOUNT = "llm-api-key"


def _usable_backend():
    """The keyring backend, or None where there is none (keyring's fail/null backends, as on a headless Linux).
    keyring is imported here, not at module level: finding its backend costs most of a second."""
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - a broken keyring set-up means "no credential store", never a crash
        log.warning("no credential store: %s", exc)
        return None
    return None if isinstance(backend, (fail.Keyring, null.Keyring)) else backend


def backend_label(backend) -> str:
    return getattr(type(backend), "name", None) or type(backend).__name__


class ApiKeyStore:
    """One per process. `get()` looks in the credential store only when told a key was stored there, so a person
    who needs no key (LM Studio) never pays for loading keyring."""

    def __init__(self) -> None:
        self._memory: str | None = None
        self._loaded = False

    def backend_name(self) -> str | None:
        """What the key is stored in (e.g. "SecretService Keyring"), or None: then it lives in memory only."""
        backend = _usable_backend()
        return backend_label(backend) if backend is not None else None

    def get(self, stored: bool = True) -> str | None:
        if self._memory is None and stored and not self._loaded:
            self._loaded = True
            backend = _usable_backend()
            if backend is not None:
                try:
                    self._memory = backend.get_password(SERVICE, ACCOUNT) or None
                except Exception as exc:  # noqa: BLE001 - a locked or failing store: ask again, never crash
                    log.warning("the API key could not be read from %s: %s", backend_label(backend), exc)
        return self._memory

    def remember(self, key: str | None) -> None:
        """Keep a key for this process only (typed for one session): never persisted."""
        self._memory = key or None

    def set(self, key: str | None) -> bool:
        """Keep `key` (None clears it); True when it is in the credential store, False when only in memory."""
        self._memory = key or None
        self._loaded = True
        backend = _usable_backend()
        if backend is None:
            return False
        try:
            if self._memory is None:
                try:
                    backend.delete_password(SERVICE, ACCOUNT)
                except Exception as exc:  # noqa: BLE001 - nothing stored is what we want
                    log.debug("no API key to delete from %s: %s", backend_label(backend), exc)
                return False
            backend.set_password(SERVICE, ACCOUNT, self._memory)
            return True
        except Exception as exc:  # noqa: BLE001 - a locked or read-only store: the key stays in memory
            log.warning("the API key could not be stored in %s: %s", backend_label(backend), exc)
            return False

    def forget(self) -> None:
        """Drop what this process knows (tests start from a clean slate)."""
        self._memory = None
        self._loaded = False


api_keys = ApiKeyStore()
