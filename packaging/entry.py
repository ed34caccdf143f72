"""Entry script for the PyInstaller bundle: the same `main()` as the `negotiator` console script."""
import sys

from negotiator_app.ui.pyside_import_hook import quicken_pyside_import_hook

# PyInstaller's PySide6 runtime hook has imported Qt already: make its import hook cheap before the rest loads.
quicken_pyside_import_hook()
from negotiator_app.cli import main  # noqa: E402 - after the hook is quickened

if __name__ == "__main__":
    sys.exit(main())
