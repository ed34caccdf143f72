"""@mention parsing: case-insensitive, tolerant of spaces and punctuation inside seller names."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .names import normalize_name

_SEPARATORS = set(" _-.'")
_HANDLE = re.compile(r"[\w][\w.\-]*")


@dataclass
class Mentions:
    sellers: list[str] = field(default_factory=list)  # known sellers mentioned, in order, no repeats
    unknown: list[str] = field(default_factory=list)  # handles that match no seller


def _match_at(text: str, start: int, key: str) -> int | None:
    """End index if the normalised seller key can be read from text[start:], skipping separators."""
    i, k = start, 0
    while k < len(key):
        if i >= len(text):
            return None
        ch = text[i]
        # One character can fold to several ('ß' -> 'ss'), so compare its whole normalised form.
        piece = normalize_name(ch)
        if piece and key.startswith(piece, k):
            k += len(piece)
        elif ch in _SEPARATORS and k > 0:
            pass
        else:
            return None
        i += 1
    # The handle must end at a word boundary: "@Acme2" is not "@Acme".
    if i < len(text) and (text[i].isalnum() or text[i] == "_"):
        return None
    return i


def parse_mentions(text: str, seller_names: list[str]) -> Mentions:
    found = Mentions()
    keys = sorted(((normalize_name(n), n) for n in seller_names), key=lambda kv: -len(kv[0]))
    for at in (m.start() for m in re.finditer("@", text)):
        if at > 0 and (text[at - 1].isalnum() or text[at - 1] == "_"):
            continue  # an e-mail address, not a mention
        for key, name in keys:
            if key and _match_at(text, at + 1, key) is not None:
                if name not in found.sellers:
                    found.sellers.append(name)
                break
        else:
            handle = _HANDLE.match(text, at + 1)
            if handle and handle.group(0) not in found.unknown:
                found.unknown.append(handle.group(0))
    return found


def recipients_for(text: str, seller_names: list[str]) -> list[str]:
    """Who a buyer message goes to: the mentioned sellers, or everyone when nobody is mentioned."""
    mentioned = parse_mentions(text, seller_names).sellers
    return mentioned or list(seller_names)
