"""The start-up sequence every entry point (window, CLI commands, smoke test) runs on its database."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..storage import Store, UserSettings, load_settings

log = logging.getLogger(__name__)


@dataclass
class OpenedStore:
    store: Store
    recovered_from: Path | None  # where a damaged database was moved before a fresh one was created
    interrupted: list[str] = field(default_factory=list)  # runs a crashed process left, now resumable


def open_store(db_path: Path | str | None, settings: UserSettings | None = None, *, prune: bool = True,
               read_only: bool = False) -> OpenedStore:
    """Open (create, migrate, recover) the database, prune old exports, and mark the runs whose owning
    process is gone as interrupted. Raises StorageError when the database cannot be opened. `read_only`
    (commands that only read): nothing is created, moved, pruned or marked; crash-left runs read as interrupted."""
    if read_only:
        store = Store.open(db_path, read_only=True)
        return OpenedStore(store, None, list(store.crash_left_runs()))
    store = Store.open(db_path)
    if store.recovered_from is not None:
        log.warning("the database was damaged; it was moved to %s and a fresh one was created", store.recovered_from)
    if prune:
        _prune_exports(settings or load_settings())
    try:
        interrupted = store.mark_interrupted_runs()
    except Exception:
        store.close()
        raise
    if interrupted:
        log.info("%d run(s) were left unfinished by a process that is gone; they can be resumed", len(interrupted))
    return OpenedStore(store, store.recovered_from, interrupted)


def _prune_exports(settings: UserSettings) -> None:
    from ..export import prune_exports

    if settings.retention_days:
        prune_exports(settings.exports_folder(), settings.retention_days)
