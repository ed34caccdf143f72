"""Name normalisation shared by item matching, seller uniqueness and @mentions."""
import re

_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def normalize_name(name: str) -> str:
    """Case-, space- and punctuation-insensitive key: 'Acme_Store' and 'acme store' match."""
    return _NOT_ALNUM.sub("", name).casefold()


def normalize_item(name: str) -> str:
    """Item names match ignoring case and runs of whitespace ('USB-C  cable' == 'usb-c cable')."""
    return " ".join(name.split()).casefold()


SHOWN_NAME_CHARS = 60


def clip(text: str, limit: int = SHOWN_NAME_CHARS) -> str:
    """A name or value as echoed in a message: long ones are cut, so an error line stays one short line."""
    return text if len(text) <= limit else text[:limit] + "…"


def possessive(name: str) -> str:
    """'Acme' -> "Acme's", 'Clearview Displays' -> "Clearview Displays'" (a name ending in s takes the bare apostrophe)."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"
