"""A windowed build has no console: sys.stdout and sys.stderr are None, and the app must still run."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WITHOUT_CONSOLE = """
import sys
out = sys.stdout
sys.stdout = sys.stderr = None  # what PyInstaller's windowed bootloader leaves on Windows
from negotiator_app.cli import main
code = main(sys.argv[1:])
out.write(f"exit {code}\\n")
raise SystemExit(code)
"""


def test_smoke_test_runs_with_no_stdout_and_no_stderr(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "d"),
           "XDG_STATE_HOME": str(tmp_path / "s"), "XDG_CONFIG_HOME": str(tmp_path / "c")}
    result = subprocess.run([sys.executable, "-c", WITHOUT_CONSOLE, "--smoke-test"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.strip().endswith("exit 0")
    assert "Traceback" not in result.stderr


def test_the_app_icons_exist_for_every_platform():
    icons = ROOT / "resources" / "icons"
    assert (icons / "app.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"  # Windows ICO header
    assert (icons / "app.icns").read_bytes()[:4] == b"icns"
    assert (icons / "app.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
