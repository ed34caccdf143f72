"""Name normalisation shared by item matching, seller uniqueness and @mentions."""
import re
from functools import lru_cache

_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=4096)  # a run compares the same few names thousands of times
def normalize_name(name: str) -> str:
    """Case-, space- and punctuation-insensitive key: 'Acme_Store' and 'acme store' match."""
    return _NOT_ALNUM.sub("", name).casefold()


def normalize_item(name: str) -> str:
    """Item names match ignoring case and runs of whitespace ('USB-C  cable' == 'usb-c cable')."""
    return " ".join(name.split()).casefold()


SHOWN_NAME_CHARS = 60
# Characters that change how a line reads rather than what it says: C0/C1 controls (line breaks, escapes),
# bidi embeddings, overrides and isolates (U+202E turns text around), line and paragraph separators.
_CONTROL_CLASS = r"\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
_CONTROL = re.compile(f"[{_CONTROL_CLASS}]")
# The same rule for the JSON Schema (ECMA-262 and Python read it alike); surrounding whitespace is trimmed first.
NO_CONTROL_PATTERN = rf"^\s*[^{_CONTROL_CLASS}]*\s*$"


def control_character(text: str) -> str | None:
    """The first control character of `text`, written as U+XXXX, or None."""
    found = _CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def clip(text: str, limit: int = SHOWN_NAME_CHARS) -> str:
    """A name or value as echoed in a message: control characters escaped and long ones cut, so an error line
    stays one short line that reads as written."""
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "…"


def possessive(name: str) -> str:
    """'Acme' -> "Acme's", 'Clearview Displays' -> "Clearview Displays'" (a name ending in s takes the bare apostrophe)."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"
