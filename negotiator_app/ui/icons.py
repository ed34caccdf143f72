"""Icons drawn as SVG in resources/icons, tinted to the palette so they read in light and dark themes."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from ..paths import resource_path

# Rendered at several sizes so Qt picks a sharp pixmap for every device pixel ratio.
_SIZES = (16, 20, 24, 32, 48, 64)


def _svg_text(name: str) -> str:
    return resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")


def _render(svg: str, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def _text_color() -> str:
    app = QApplication.instance()
    color = app.palette().color(QPalette.ColorRole.WindowText) if app else QColor("#333333")
    return color.name()


@cache
def _tinted_icon(name: str, color: str) -> QIcon:
    svg = _svg_text(name).replace("currentColor", color)
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(QPixmap.fromImage(_render(svg, size)))
    return icon


def icon(name: str) -> QIcon:
    """A toolbar/menu icon from resources/icons/<name>.svg in the current palette's text colour."""
    return _tinted_icon(name, _text_color())


def app_icon() -> QIcon:
    ico = QIcon()
    svg = _svg_text("app")
    for size in (16, 24, 32, 48, 64, 128, 256):
        ico.addPixmap(QPixmap.fromImage(_render(svg, size)))
    return ico


def write_app_icon_files(dest: Path) -> list[Path]:
    """Render app.png (256 px), app.ico and app.icns from app.svg; run once when the SVG changes."""
    svg = _svg_text("app")
    written = []
    for filename, size in (("app.png", 256), ("app.ico", 256), ("app.icns", 256)):
        path = dest / filename
        if _render(svg, size).save(str(path)):
            written.append(path)
    return written
