"""Colours per speaker and for notes, derived from the widget palette so light and dark themes both read well."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

# Hues chosen to stay distinguishable from each other and from the buyer's blue, also for common
# colour-vision deficiencies (no two neighbours differ only in red/green).
_SELLER_HUES = (28, 150, 280, 0, 185, 50, 320, 100, 240, 12)
_BUYER_HUE = 212


@dataclass(frozen=True)
class SpeakerColors:
    accent: QColor  # name, chart line, bubble border
    bubble: QColor  # bubble background: a faint tint that keeps body text at full contrast


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def _colors(hue: int, dark: bool, saturation: int = 170) -> SpeakerColors:
    if dark:
        return SpeakerColors(QColor.fromHsl(hue, saturation + 40, 165), QColor.fromHsl(hue, 60, 42))
    return SpeakerColors(QColor.fromHsl(hue, saturation, 88), QColor.fromHsl(hue, 150, 238))


def buyer_colors(palette: QPalette) -> SpeakerColors:
    return _colors(_BUYER_HUE, is_dark(palette))


def seller_colors(index: int, palette: QPalette) -> SpeakerColors:
    """Colours of the seller at `index` in the session's seller list (stable across rooms)."""
    hue = _SELLER_HUES[index % len(_SELLER_HUES)]
    # Past ten sellers (never reached: the domain caps it) hues repeat, so vary lightness a little.
    return _colors(hue, is_dark(palette), saturation=170 - 40 * (index // len(_SELLER_HUES)))


def note_color(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)


def violation_color(palette: QPalette) -> QColor:
    return QColor("#ff7b72") if is_dark(palette) else QColor("#b3261e")


def success_color(palette: QPalette) -> QColor:
    return QColor("#56d364") if is_dark(palette) else QColor("#1a7f37")


def banner_colors(kind: str, palette: QPalette) -> tuple[QColor, QColor]:
    """(background, border) of an outcome banner: 'deal', 'no_deal' or 'error'."""
    hue = {"deal": 130, "no_deal": 40, "error": 2}[kind]
    dark = is_dark(palette)
    return (QColor.fromHsl(hue, 70, 45) if dark else QColor.fromHsl(hue, 120, 232),
            QColor.fromHsl(hue, 160, 140 if dark else 110))


def zone_color(palette: QPalette) -> QColor:
    """Fill of the zone where a deal is possible (operator view)."""
    color = QColor.fromHsl(130, 120, 90 if is_dark(palette) else 200)
    color.setAlpha(70)
    return color
