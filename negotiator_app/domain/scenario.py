"""Scenario files: a session config as JSON, loaded with every error located, saved atomically."""
from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .config import SessionConfig
from .errors import describe_validation_error


class ScenarioError(ValueError):
    """A scenario that cannot be used; `errors` lists every problem with its location."""

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = errors
        super().__init__(f"{source} is not a valid scenario:\n" + "\n".join(f"- {e}" for e in errors))


def parse_config(data: Any, source: str = "scenario") -> SessionConfig:
    if not isinstance(data, dict):
        raise ScenarioError(source, ["the file must contain a JSON object with 'buyer' and 'sellers'"])
    try:
        return SessionConfig.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, describe_validation_error(exc, data)) from None
    except RecursionError:
        raise ScenarioError(source, ["the file is nested too deeply to be a scenario"]) from None


_LONG_NUMBER = re.compile(r"-?\d{100,}")


def parse_json(text: str) -> Any:
    """JSON text as Python data; a BOM is skipped. Raises ValueError with a located, one-line reason."""
    text = text.removeprefix("\ufeff")  # editors on Windows save UTF-8 with a byte-order mark
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise ValueError("the JSON is nested too deeply to be read") from None
    except ValueError:
        # Python refuses to convert integers of more than ~4,300 digits; say where the number is.
        found = next((m for m in _LONG_NUMBER.finditer(text) if len(m.group().lstrip("-")) > 4000), None)
        if found is None:
            raise ValueError("the JSON holds a number too long to be read") from None
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        digits = len(found.group().lstrip("-"))
        raise ValueError(f"line {line}, column {column}: a number with {digits:,} digits is far too large") from None


def loads_scenario(text: str, source: str = "scenario") -> SessionConfig:
    try:
        data = parse_json(text)
    except ValueError as exc:
        raise ScenarioError(source, [str(exc)]) from None
    return parse_config(data, source)


def load_scenario(path: str | os.PathLike[str]) -> SessionConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), ["the file does not exist"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), [f"the file cannot be read ({exc})"]) from None
    return loads_scenario(text, path.name)


def dumps_scenario(config: SessionConfig) -> str:
    return json.dumps(config.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


class NotARegularFileError(OSError):
    """The path names a folder or a special file: replacing it with a regular file would destroy it."""


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write to a temporary file beside the target, then rename: a crash never leaves half a file.

    A symlink is written through (the temporary file goes beside its target, so the link stays a link);
    anything at the path that is not a regular file is refused rather than replaced."""
    path = Path(os.path.realpath(path))
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # nothing there yet (the folder may be missing too)
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise NotARegularFileError(f"{path} is a folder; give a file name")
    if mode is not None and not stat.S_ISREG(mode):
        raise NotARegularFileError(f"{path} is not a regular file (a device, pipe or socket); it was left alone")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise NotARegularFileError(f"{path.parent} is a file, not a folder; choose another place") from None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, stat.S_IMODE(mode))  # replacing a file keeps its permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_scenario(config: SessionConfig, path: str | os.PathLike[str]) -> None:
    write_text_atomic(path, dumps_scenario(config))
