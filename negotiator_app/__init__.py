"""Negotiator: a buyer AI agent negotiates with seller AI agents on a local LM Studio server."""
from __future__ import annotations

FALLBACK_VERSION = "0.1.0"  # running from a source tree or a frozen bundle without metadata


def __getattr__(name: str) -> str:
    """`__version__` is read from the package metadata on first use: importlib.metadata slows every start."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("negotiator")
    except PackageNotFoundError:
        found = FALLBACK_VERSION
    globals()["__version__"] = found
    return found
