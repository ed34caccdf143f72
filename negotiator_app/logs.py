"""The app's log file: one rotating file in the user log folder, which also receives native crash reports."""
from __future__ import annotations

import faulthandler
import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE_NAME = "negotiator.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogFileHandler(RotatingFileHandler):
    """Writes records and, through faulthandler, native crashes (a segfault in Qt leaves no Python traceback
    otherwise) to the same file. faulthandler holds a file descriptor, so it follows the file across rollovers."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        self.setFormatter(logging.Formatter(FORMAT))
        self._enable_crash_reports()

    def _enable_crash_reports(self) -> None:
        if self.stream is not None:
            faulthandler.enable(file=self.stream)

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        faulthandler.disable()  # never leave it writing to a closed (and possibly reused) descriptor
        super().doRollover()
        self._enable_crash_reports()

    def close(self) -> None:
        faulthandler.disable()
        super().close()


def configure_file_logging(log_dir: Path, *, console: bool = True) -> Path:
    """Log INFO and above to `log_dir`/negotiator.log (replacing any earlier log file of this process); with
    `console`, also WARNING and above to stderr, when there is one (a windowed build has none)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    current = [h for h in root.handlers if isinstance(h, LogFileHandler)]
    if not any(Path(h.baseFilename) == path for h in current):
        for old in current:
            root.removeHandler(old)
            old.close()
        root.addHandler(LogFileHandler(path))
    if console and sys.stderr is not None and not any(type(h) is logging.StreamHandler for h in root.handlers):
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setLevel(logging.WARNING)
        root.addHandler(stderr)
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    return path


def configure_cli_logging() -> Path:
    """The command line logs to the window's log folder; it prints its own messages, so no console handler."""
    from .paths import log_dir

    return configure_file_logging(log_dir(), console=False)
