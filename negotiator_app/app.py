"""Composition root: QApplication on a qasync loop, wiring of client, store, engine and window."""
from __future__ import annotations

import argparse
import sys


def run_app(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv)
    label = QLabel("Negotiator")
    label.setWindowTitle("Negotiator")
    label.resize(480, 240)
    label.show()
    return app.exec()
