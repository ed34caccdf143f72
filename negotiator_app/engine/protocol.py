"""The machine-readable channel: reply schemas, lenient parsing, and the live message-text extractor.

Agents answer with a JSON object whose first field is the natural "message" (shown in the pane) and
whose other fields carry the offer or decision. Servers that refuse structured output get the same
request as plain text; a model may then answer in JSON anyway or in a simple line protocol
("OFFER: 12.50 x 3", "DECISION: accept Acme"), and both are read.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from ..domain import MAX_MESSAGE_CHARS, MAX_QUANTITY, Decision
from ..domain.names import normalize_name
from .policy import coerce_decision

SELLER_SCHEMA = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "offer_price": {"type": ["number", "null"]},
        "offer_quantity": {"type": ["integer", "null"]},
    },
    "required": ["message", "offer_price", "offer_quantity"],
}

OPENING_SCHEMA = {
    "type": "object",
    "properties": {"message": {"type": "string"}},
    "required": ["message"],
}


def buyer_decision_schema(decisions: list[Decision]) -> dict:
    return {
        "type": "object",
        "properties": {
            "decision": {"type": "string", "enum": decisions},
            "seller": {"type": ["string", "null"]},
            "message": {"type": "string"},
        },
        "required": ["decision", "seller", "message"],
    }


class ParseError(ValueError):
    """A reply whose message, offer or decision cannot be read."""


@dataclass
class SellerReply:
    message: str
    offer_price: float | None = None
    offer_quantity: int | None = None


@dataclass
class BuyerReply:
    message: str
    decision: Decision = Decision.CONTINUE
    seller: str | None = None


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)
_LENIENT_JSON = json.JSONDecoder(strict=False)  # models put raw newlines in strings (json.loads would make one per call)
_OFFER_LINE = re.compile(
    r"^\s*OFFER\s*[:=]\s*\$?\s*(?P<price>\d[\d,]*(?:\.\d+)?)\s*(?:(?:x|×|\*|for)\s*(?P<qty>\d+))?.*$",
    re.IGNORECASE | re.MULTILINE,
)
_DECISION_LINE = re.compile(
    r"^\s*DECISION\s*[:=]\s*(?P<decision>continue|accept|walk[ _]?away)\b\s*@?(?P<seller>[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
# [ \t]*, not \s*: a blank line before a protocol line is the message's, as the live extractor shows it.
_PROTOCOL_LINE = re.compile(r"^[ \t]*(OFFER|DECISION)[ \t]*[:=].*$\n?", re.IGNORECASE | re.MULTILINE)


def _json_object(raw: str) -> dict | None:
    """The JSON object in a reply, tolerating code fences and chatter around it; None if there is none."""
    text = _FENCE.sub("", raw.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0:
        return None
    if end <= start:
        raise ParseError("the reply starts a JSON object but never closes it")
    try:
        value = _LENIENT_JSON.decode(text[start : end + 1])
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("{"):
            raise ParseError(f"the reply is not valid JSON ({exc.msg})") from None
        return None  # braces inside plain prose
    if not isinstance(value, dict):
        raise ParseError("the reply is JSON but not an object")
    return value


def _clean_message(text: object) -> str:
    if not isinstance(text, str):
        raise ParseError("the reply has no 'message' text")
    text = text.strip()
    if not text:
        raise ParseError("the reply's message is empty")
    return text[:MAX_MESSAGE_CHARS]


def _number(value: object, what: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ParseError(f"{what} is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace("$", "").replace(",", "").strip())
        except ValueError:
            pass
    raise ParseError(f"{what} is not a number: {value!r}")


def _quantity(value: float | None) -> int | None:
    """A whole number of units the app can store. A quantity past MAX_QUANTITY (or infinite) is no offer anyone
    could make: the reply is unusable and asked again, rather than stored as a number SQLite cannot hold."""
    if value is None:
        return None
    if not math.isfinite(value) or abs(value) > MAX_QUANTITY:
        raise ParseError(f"offer_quantity is out of range (at most {MAX_QUANTITY:,})")
    if value != int(value):
        raise ParseError("offer_quantity is not a whole number")
    return int(value)


def parse_seller_reply(raw: str) -> SellerReply:
    data = _json_object(raw)
    if data is not None:
        price = _number(data.get("offer_price"), "offer_price")
        quantity = _quantity(_number(data.get("offer_quantity"), "offer_quantity"))
        return SellerReply(_clean_message(data.get("message")), price, quantity)
    match = _OFFER_LINE.search(raw)
    price = float(match["price"].replace(",", "")) if match else None
    quantity = _quantity(float(match["qty"])) if match and match["qty"] else None
    return SellerReply(_clean_message(_PROTOCOL_LINE.sub("", raw)), price, quantity)


def parse_buyer_reply(raw: str, decisions: list[Decision]) -> BuyerReply:
    """The buyer's message and decision; a decision it may not take this turn is coerced by the policy or refused."""
    data = _json_object(raw)
    if data is not None:
        decision = str(data.get("decision") or Decision.CONTINUE).strip().lower().replace(" ", "_")
        seller = data.get("seller")
        seller = seller.strip().lstrip("@") if isinstance(seller, str) and seller.strip() else None
        message = _clean_message(data.get("message"))
    else:
        match = _DECISION_LINE.search(raw)
        said = match["decision"].lower().replace(" ", "_").replace("walkaway", Decision.WALK_AWAY) if match else None
        decision = said or Decision.CONTINUE
        seller = match["seller"].strip().strip(".").lstrip("@") or None if match else None
        message = _clean_message(_PROTOCOL_LINE.sub("", raw))
    decision = coerce_decision(decision, decisions)
    if decision not in decisions:
        raise ParseError(f"decision '{decision}' is not one of {', '.join(decisions)}")
    decision = Decision(decision)
    if decision != Decision.ACCEPT:
        seller = None  # only an acceptance names a seller
    elif not seller:
        raise ParseError(f"an '{Decision.ACCEPT}' decision must name the seller")
    return BuyerReply(message=message, decision=decision, seller=seller)


_LABEL = re.compile(
    r"^[ \t]*[*_]*(?:\[[ \t]*(?P<bracketed>[^\]\n]{1,60}?)[ \t]*\][*_]*[ \t]*:?|(?P<plain>[^\n:\[\]*]{1,60}?)[*_]*[ \t]*:)"
    r"[*_]*[ \t]*",
    re.MULTILINE,
)


def strip_speaker_labels(text: str, speakers: tuple[str, ...] | list[str]) -> str:
    """Drop speaker labels ("[Seller B]:", "Buyer:", "**Acme:**") that open a line of a reply.

    Chat history shows other agents' lines as "[Name]: text", and models imitate it, writing lines in
    someone else's name. A message has one speaker, the agent that sent it, so such labels are removed
    rather than let them put words in another participant's mouth. Raises ParseError if nothing is left.
    """
    keys = {normalize_name(s) for s in speakers} - {""}
    if not keys:
        return text

    def unlabel(match: re.Match) -> str:
        name = match["bracketed"] if match["bracketed"] is not None else match["plain"]
        return "" if normalize_name(name) in keys else match[0]

    previous = None
    while previous != text:  # "[Seller A]: [Seller B]: hi" has two labels
        previous, text = text, _LABEL.sub(unlabel, text)
    text = text.strip()
    if not text:
        raise ParseError("the reply's message is only a speaker's name")
    return text


class MessageTextExtractor:
    """Feeds on raw streamed text and returns only the natural message, as it arrives.

    JSON replies: the characters of the "message" string value are decoded as they stream.
    Plain replies: text passes through, except protocol lines (OFFER:/DECISION:), held back until
    a line can no longer become one.
    """

    _KEY = re.compile(r'"message"\s*:\s*"')

    def __init__(self) -> None:
        self._raw = ""
        self._mode: str | None = None  # "json" | "text"
        self._pos = 0  # JSON: index in _raw of the next undecoded message char; text: start of pending line
        self._done = False

    def feed(self, delta: str) -> str:
        self._raw += delta
        if self._mode is None:
            stripped = self._raw.lstrip()
            if not stripped:
                return ""
            self._mode = "json" if stripped[0] in "{`" else "text"
        return self._feed_json() if self._mode == "json" else self._feed_text()

    def _feed_json(self) -> str:
        if self._done:
            return ""
        if self._pos == 0:
            match = self._KEY.search(self._raw)
            if not match:
                return ""
            self._pos = match.end()
        out: list[str] = []
        raw, i = self._raw, self._pos
        while i < len(raw):
            ch = raw[i]
            if ch == '"':
                self._done = True
                i += 1
                break
            if ch == "\\":
                if i + 1 >= len(raw):
                    break
                esc = raw[i + 1]
                if esc == "u":
                    if i + 6 > len(raw):
                        break
                    try:
                        code = int(raw[i + 2 : i + 6], 16)
                    except ValueError:
                        code = None
                    if code is not None and 0xD800 <= code < 0xDC00:
                        # A character outside the BMP comes as a surrogate pair (\ud83d\ude00): wait for both.
                        if i + 12 > len(raw):
                            break
                        low = _hex(raw[i + 8 : i + 12]) if raw[i + 6 : i + 8] == "\\u" else None
                        if low is not None and 0xDC00 <= low < 0xE000:
                            out.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                            i += 12
                            continue
                    if code is not None and not 0xD800 <= code < 0xE000:
                        out.append(chr(code))  # a lone surrogate cannot be shown: dropped
                    i += 6
                    continue
                out.append({"n": "\n", "t": "\t", "r": "", "b": "", "f": ""}.get(esc, esc))
                i += 2
                continue
            out.append(ch)
            i += 1
        self._pos = i
        return "".join(out)

    def _feed_text(self) -> str:
        out: list[str] = []
        while True:
            newline = self._raw.find("\n", self._pos)
            line = self._raw[self._pos :] if newline < 0 else self._raw[self._pos : newline + 1]
            if _could_be_protocol(line) and newline < 0:
                break  # wait: this line may still turn into "OFFER: …"
            if not _PROTOCOL_LINE.match(line):
                out.append(line)
            if newline < 0:
                self._pos = len(self._raw)
                break
            self._pos = newline + 1
        return "".join(out)


def _hex(digits: str) -> int | None:
    try:
        return int(digits, 16)
    except ValueError:
        return None


def _could_be_protocol(partial_line: str) -> bool:
    head = partial_line.lstrip().upper()
    return any(word.startswith(head[: len(word)]) for word in ("OFFER", "DECISION")) and len(head) < 40
