"""Entry script for the PyInstaller bundle: the same `main()` as the `negotiator` console script."""
import sys

from negotiator_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
