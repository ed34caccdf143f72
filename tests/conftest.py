"""Test-wide setup: Qt runs offscreen; no test needs a display."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
