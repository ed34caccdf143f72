"""Icons drawn as SVG in resources/icons, tinted to the palette so they read in light and dark themes."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from ..domain.states import RunState
from ..paths import resource_path
from . import theme

# Rendered at several sizes so Qt picks a sharp pixmap for every device pixel ratio.
_SIZES = (16, 20, 24, 32, 48, 64)


def _svg_text(name: str) -> str:
    return resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")


def _render(svg: str | QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    renderer = svg if isinstance(svg, QSvgRenderer) else _renderer(svg)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def _renderer(svg: str) -> QSvgRenderer:
    """The SVG parsed once, to be drawn at every size (parsing it per size cost a third of drawing the icons)."""
    return QSvgRenderer(QByteArray(svg.encode("utf-8")))


def _text_color() -> str:
    app = QApplication.instance()
    color = QApplication.palette().color(QPalette.ColorRole.WindowText) if app else QColor("#333333")
    return color.name()


@cache
def _tinted_icon(name: str, color: str) -> QIcon:
    renderer = _renderer(_svg_text(name).replace("currentColor", color))
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(QPixmap.fromImage(_render(renderer, size)))
    return icon


def icon(name: str) -> QIcon:
    """A toolbar/menu icon from resources/icons/<name>.svg in the current palette's text colour."""
    return _tinted_icon(name, _text_color())


# A room's run state as a drawn icon: font glyphs such as ⏸ are missing from common fonts (DejaVu draws a box).
STATE_ICONS = {
    RunState.RUNNING: "state-running", RunState.WAITING: "state-waiting", RunState.PAUSED: "state-paused",
    RunState.AWAITING_PERSON: "state-person", RunState.DECIDED: "state-decided", RunState.NO_DEAL: "state-no-deal",
    RunState.STOPPED: "state-stopped", RunState.INTERRUPTED: "state-interrupted", RunState.ERROR: "state-error",
}


def _state_color(state: RunState, palette: QPalette) -> str:
    if state in (RunState.RUNNING, RunState.DECIDED):
        return theme.success_color(palette).name()
    if state in (RunState.ERROR, RunState.INTERRUPTED):
        return theme.violation_color(palette).name()
    if state in (RunState.PAUSED, RunState.AWAITING_PERSON):
        return theme.attention_color(palette).name()
    return palette.color(QPalette.ColorRole.WindowText).name()


def state_icon(state: RunState) -> QIcon:
    """The icon of a room's run state (the same QIcon each time, for a palette); a null icon for idle."""
    name = STATE_ICONS.get(RunState(state))
    if name is None:
        return QIcon()
    app = QApplication.instance()
    palette = QApplication.palette() if app else QPalette()
    return _tinted_icon(name, _state_color(RunState(state), palette))


@cache
def app_icon() -> QIcon:
    """The application's icon (drawn once: the application, the window and the welcome page all show it)."""
    ico = QIcon()
    renderer = _renderer(_svg_text("app"))
    for size in (16, 24, 32, 48, 64, 128, 256):
        ico.addPixmap(QPixmap.fromImage(_render(renderer, size)))
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
