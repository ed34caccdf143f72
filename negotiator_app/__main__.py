"""Command-line entry point: the desktop app by default, subcommands for headless work."""
from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
