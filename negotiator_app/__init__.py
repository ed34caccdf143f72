"""Negotiator: a buyer AI agent negotiates with seller AI agents on a local LM Studio server."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("negotiator")
except PackageNotFoundError:  # running from a source tree or a frozen bundle without metadata
    __version__ = "0.1.0"
