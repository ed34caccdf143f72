"""The window's log file receives Qt's own warnings and native crash reports (a windowed build has no console)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter

from negotiator_app.logs import LOG_FILE_NAME
from negotiator_app.ui.error_dialog import configure_logging

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.qt_log_ignore(r"Painter not active")  # provoked on purpose
def test_a_qt_warning_ends_up_in_the_log_file(tmp_path):
    path = configure_logging(tmp_path / "logs")
    QPainter().drawRect(QRect(0, 0, 1, 1))  # Qt warns: nothing to paint on
    logged = path.read_text(encoding="utf-8")
    assert "WARNING qt: QPainter::drawRects: Painter not active" in logged


CRASH = """
import sys
from pathlib import Path
from negotiator_app.ui.error_dialog import configure_logging
configure_logging(Path(sys.argv[1]))
import faulthandler
faulthandler._sigsegv()  # a native crash, as a fault inside Qt would be
"""


def test_a_native_crash_is_written_to_the_log_file(tmp_path):
    result = subprocess.run([sys.executable, "-c", CRASH, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert result.returncode != 0
    logged = (tmp_path / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in logged and 'File "<string>", line 7' in logged
