"""Colours per speaker and for notes, derived from the widget palette so light and dark themes both read well."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

# Sellers' colours: Paul Tol's "muted" qualitative scheme (nine colours, in his published order) plus
# the grey of his "bright" scheme, https://personal.sron.nl/~pault/#sec:qualitative . Tol designed and
# checked these to stay distinct for the common colour-vision deficiencies (protan, deutan, tritan) and
# in print; it is the largest published colour-blind-safe set that reaches ten (Okabe-Ito has eight, one
# of them black). The grey is his darker #BBBBBB, not muted's #DDDDDD "bad data", so a chart line stays
# visible on white. The buyer is neutral (text-coloured), so no seller is confused with it.
SELLER_PALETTE = ("#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE",
                  "#882255", "#44AA99", "#999933", "#AA4499", "#BBBBBB")
MIN_TEXT_CONTRAST = 4.5  # WCAG AA for body text: names written in a seller's colour
MIN_MARK_CONTRAST = 1.6  # a line or border must stand out from the background a little


@dataclass(frozen=True)
class SpeakerColors:
    accent: QColor  # the speaker's colour: chart line, offers-table swatch, bubble border
    bubble: QColor  # bubble background: a faint tint that keeps body text at full contrast
    text: QColor  # the name written in the speaker's colour, darkened or lightened until it reads


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def _luminance(color: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio, 1 (same) to 21 (black on white)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _away_from(color: QColor, base: QColor, minimum: float) -> QColor:
    """The same hue, darker on a light background (lighter on a dark one), until it has `minimum` contrast."""
    result, darken = QColor(color), _luminance(base) > 0.18
    for _ in range(40):
        if contrast(result, base) >= minimum:
            break
        h, s, lightness, a = result.hslHue(), result.hslSaturation(), result.lightness(), result.alpha()
        lightness = max(0, lightness - 8) if darken else min(255, lightness + 8)
        result = QColor.fromHsl(max(h, 0), s, lightness, a)
    return result


def _mix(color: QColor, base: QColor, amount: float) -> QColor:
    return QColor.fromRgbF(*(base_c + (c - base_c) * amount for c, base_c in (
        (color.redF(), base.redF()), (color.greenF(), base.greenF()), (color.blueF(), base.blueF()))))


def legible(color: QColor, palette: QPalette) -> QColor:
    """`color` adjusted to read as text on the palette's base."""
    return _away_from(color, palette.color(QPalette.ColorRole.Base), MIN_TEXT_CONTRAST)


def seller_color(index: int, palette: QPalette) -> QColor:
    """THE colour of the seller at `index` in the session's seller list: bubbles, offers table and chart all
    take it from here (stable across rooms). On a dark background the darkest ones are lifted to show."""
    color = QColor(SELLER_PALETTE[index % len(SELLER_PALETTE)])
    return _away_from(color, palette.color(QPalette.ColorRole.Base), MIN_MARK_CONTRAST)


_SELLER_COLORS: dict[tuple[int, int], SpeakerColors] = {}  # (index, palette's cache key) -> colours


def seller_colors(index: int, palette: QPalette) -> SpeakerColors:
    """Kept per palette: finding a legible shade costs ~0.2 ms, and every streamed message asks for one."""
    key = (index, palette.cacheKey())
    colors = _SELLER_COLORS.get(key)
    if colors is None:
        accent = seller_color(index, palette)
        base = palette.color(QPalette.ColorRole.Base)
        colors = SpeakerColors(accent, _mix(accent, base, 0.28 if is_dark(palette) else 0.14), legible(accent, palette))
        _SELLER_COLORS[key] = colors
    return colors


def buyer_colors(palette: QPalette) -> SpeakerColors:
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    return SpeakerColors(text, _mix(text, base, 0.06), text)


def note_color(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)


def violation_color(palette: QPalette) -> QColor:
    return QColor("#ff7b72") if is_dark(palette) else QColor("#b3261e")


def success_color(palette: QPalette) -> QColor:
    return QColor("#56d364") if is_dark(palette) else QColor("#1a7f37")


def attention_color(palette: QPalette) -> QColor:
    """Amber: waits for someone (paused, your turn)."""
    return QColor("#e3b341") if is_dark(palette) else QColor("#9a6700")


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
