"""Writing export files safely (regular files atomically, devices and pipes directly, '-' to standard output)
and pruning old ones."""
from __future__ import annotations

import errno
import json
import os
import stat
import sys
import time
from pathlib import Path

from ..domain.scenario import NotARegularFileError, write_text_atomic

EXPORT_SUFFIXES = (".json", ".md")
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
    except FileNotFoundError:
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
