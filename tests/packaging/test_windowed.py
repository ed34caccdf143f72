"""A windowed build has no console: sys.stdout and sys.stderr are None, and the app must still run."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Python prints nothing anywhere here: with no stderr, a traceback or a logged error would vanish. So the child
# keeps every record the app logs (whatever files it logs to) and reports them on the stdout it saved.
WITHOUT_CONSOLE = """
import logging
import sys
out = sys.stdout
logged = []
class Keep(logging.Handler):
    def emit(self, record):
        logged.append(record.levelname + " " + record.name + ": " + self.format(record).replace("\\n", " | "))
logging.getLogger().addHandler(Keep(logging.INFO))
sys.stdout = sys.stderr = None  # what PyInstaller's windowed bootloader leaves on Windows
from negotiator_app.cli import main
code = main(sys.argv[1:])
for line in logged:
    out.write("logged " + line + "\\n")
out.write(f"exit {code}\\n")
raise SystemExit(code)
"""


def test_smoke_test_runs_with_no_stdout_and_no_stderr(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "d"),
           "XDG_STATE_HOME": str(tmp_path / "s"), "XDG_CONFIG_HOME": str(tmp_path / "c")}
    result = subprocess.run([sys.executable, "-c", WITHOUT_CONSOLE, "--smoke-test"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout[-4000:]
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "exit 0"
    problems = [line for line in lines if line.startswith(("logged ERROR", "logged CRITICAL")) or "Traceback" in line]
    assert problems == []


def test_the_app_icons_exist_for_every_platform():
    icons = ROOT / "resources" / "icons"
    assert (icons / "app.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"  # Windows ICO header
    assert (icons / "app.icns").read_bytes()[:4] == b"icns"
    assert (icons / "app.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
