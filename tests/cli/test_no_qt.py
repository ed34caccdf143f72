"""Storage, export, paths and the headless commands never load Qt: they run in plain asyncio processes."""
import subprocess
import sys


def test_headless_modules_do_not_import_qt():
    code = ("import sys, negotiator_app.storage, negotiator_app.export, negotiator_app.paths, negotiator_app.logs, "
            "negotiator_app.headless, negotiator_app.cli; "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'qasync'))]; print(bad); sys.exit(bool(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
