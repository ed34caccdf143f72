"""Writing export files atomically (temp file beside the target, then rename) and pruning old ones."""
from __future__ import annotations

import json
import time
from pathlib import Path

from ..domain.scenario import write_text_atomic

EXPORT_SUFFIXES = (".json", ".md")


def write_text(path: str | Path, text: str) -> Path:
    path = Path(path)
    write_text_atomic(path, text)
    return path


def write_json(path: str | Path, doc: dict) -> Path:
    # allow_nan=False: a NaN would make the file unreadable by strict JSON parsers; fail loudly instead.
    return write_text(path, json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def prune_exports(directory: str | Path, retention_days: int | None, *, now: float | None = None) -> list[Path]:
    """Delete exported logs (.json/.md) older than `retention_days` in `directory`; None or 0 = keep all.
    Only files directly in the folder are touched, and only export files, never the database."""
    if not retention_days:
        return []
    directory = Path(directory)
    if not directory.is_dir():
        return []
    cutoff = (now if now is not None else time.time()) - retention_days * 86400
    removed = []
    for path in directory.iterdir():
        if path.is_file() and path.suffix in EXPORT_SUFFIXES and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
