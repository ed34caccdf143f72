"""Writing export files safely (regular files atomically, devices and pipes directly, '-' to standard output)
and pruning old ones."""
from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
import time
from pathlib import Path

from ..domain.scenario import NotARegularFileError, write_text_atomic

STDOUT = "-"


def write_text(path: str | Path, text: str) -> Path:
    """Write `text` to `path`. A regular file (or a symlink to one) is replaced atomically; a character
    device or a named pipe is written directly, the way a shell redirection would; '-' is standard output.
    A folder, a socket or a block device is refused with NotARegularFileError and left untouched."""
    if str(path) == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return Path(STDOUT)
    path = Path(path)
    real = Path(os.path.realpath(path))
    try:
        mode = real.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # nothing there yet (the folder may be missing too)
        mode = None
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        _write_directly(real, text)
    else:
        write_text_atomic(real, text)
    return path


def _write_directly(path: Path, text: str) -> None:
    # O_NONBLOCK only for the open: a pipe nobody reads fails at once (ENXIO) instead of hanging forever.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise NotARegularFileError(f"{path} is a named pipe that no program is reading") from None
        raise
    os.set_blocking(fd, True)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_json(path: str | Path, doc: dict) -> Path:
    # allow_nan=False: a NaN would make the file unreadable by strict JSON parsers; fail loudly instead.
    return write_text(path, json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


# The names the app gives its exports: `session-<id>[-<name>].json|md` (CLI --export-dir and the window's
# default), `run-<uuid hex>.json|md` (one file per run). Pruning deletes nothing else: the folder is the user's.
APP_EXPORT_NAME = re.compile(r"(session-\d+(-[A-Za-z0-9_-]*)?|run-[0-9a-f]{32})\.(json|md)")


def is_app_export(path: Path) -> bool:
    return APP_EXPORT_NAME.fullmatch(path.name) is not None


def prune_exports(directory: str | Path, retention_days: int | None, *, now: float | None = None) -> list[Path]:
    """Delete the app's own exported logs older than `retention_days` in `directory`; None or 0 = keep all.
    Only files directly in the folder whose names the app gives its exports are touched: a person's own
    notes.md or data.json in the same folder are never deleted, however old."""
    if not retention_days:
        return []
    directory = Path(directory)
    if not directory.is_dir():
        return []
    cutoff = (now if now is not None else time.time()) - retention_days * 86400
    removed = []
    for path in directory.iterdir():
        if is_app_export(path) and path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
