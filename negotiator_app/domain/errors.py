"""Turn pydantic validation errors into sentences a person can act on, located the way a person reads."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from .names import clip

FIELD_LABELS = {
    "schema_version": "schema version",
    "name": "name",
    "quantity": "quantity",
    "min_price": "min price",
    "max_price": "max price",
    "cost_price": "cost price",
    "least_price": "least price",
    "selling_price": "selling price",
    "quantity_available": "quantity available",
    "priority": "priority",
    "speaking_style": "speaking style",
    "base_url": "server URL",
    "model": "model",
    "temperature": "temperature",
    "max_tokens": "max tokens",
    "max_rounds": "rounds",
    "concurrency": "concurrency",
    "context_tokens": "context size",
    "read_timeout_s": "read timeout",
    "reply_timeout_s": "reply time limit",
    "items": "shopping list",
    "sellers": "sellers",
    "inventory": "inventory",
}


def describe_location(loc: tuple[Any, ...], data: Any) -> str:
    """('sellers', 1, 'inventory', 0) -> "Seller 2 'Acme', item 'USB-C cable'"."""
    parts: list[str] = []
    node = data
    i = 0
    while i < len(loc):
        key = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        child = _get(node, key)
        if isinstance(nxt, int) and key in ("sellers", "items", "inventory"):
            element = _get(child, nxt)
            name = element.get("name") if isinstance(element, dict) else None
            noun = {"sellers": "Seller", "items": "Shopping item", "inventory": "item"}[key]
            label = f"{noun} {nxt + 1}" if key != "inventory" else "item"
            label = f"{label} '{clip(name)}'" if isinstance(name, str) and name.strip() else f"{noun} {nxt + 1}"
            parts.append(label)
            node = element
            i += 2
            continue
        if key == "buyer":
            parts.append("Buyer")
        elif key == "llm":
            parts.append("LLM settings")
        elif isinstance(key, str) and i == len(loc) - 1:
            parts.append(FIELD_LABELS.get(key, key.replace("_", " ")))
        node = child
        i += 1
    if not parts:
        return "Session"
    if len(loc) == 1 and _is_session_field(loc[0]):
        parts.insert(0, "Session")  # "name must not be empty" alone does not say whose name
    # The final field reads as the subject of the sentence: "Seller 2 'Acme', item 'X': least price ..."
    if isinstance(loc[-1], str) and loc[-1] in FIELD_LABELS and len(parts) > 1:
        return ", ".join(parts[:-1]) + ": " + parts[-1]
    return ", ".join(parts)


def _is_session_field(key: Any) -> bool:
    return isinstance(key, str) and key not in ("buyer", "llm")


def _get(node: Any, key: Any) -> Any:
    try:
        return node[key]
    except (KeyError, IndexError, TypeError):
        return None


# The session's seller limits read as plain sentences, not "Session: sellers allows at most 10 entries".
SELLER_LIMITS = {"too_long": "A session can have at most {max_length} sellers.",
                 "too_short": "A session needs at least one seller."}


def describe_error(err: Mapping[str, Any], data: Any) -> str:
    loc = tuple(err.get("loc", ()))
    if loc == ("sellers",) and err.get("type") in SELLER_LIMITS:
        return SELLER_LIMITS[err["type"]].format(**(err.get("ctx") or {}))
    where = describe_location(loc, data)
    what = describe_problem(err)
    ends_with_field = bool(loc) and isinstance(loc[-1], str) and loc[-1] in FIELD_LABELS
    # "…: least price must be…" reads as a sentence; a model-level rule needs its own colon.
    return f"{where} {what}" if ends_with_field else f"{where}: {what}"


def _num(value: Any) -> str:
    """2.0 -> '2', 0.5 -> '0.5': limits read the way a person writes them."""
    return f"{value:g}" if isinstance(value, float) else str(value)


_NUMBER_KINDS = ("int_parsing", "int_type", "int_from_float", "float_parsing", "float_type")


def _numeric_text(value: Any) -> bool:
    """'320' in a file is a number in quotes; 'abc' typed in a form is simply not a number."""
    try:
        return isinstance(value, str) and bool(value.strip()) and math.isfinite(float(value))
    except ValueError:
        return False


def describe_problem(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", ""))).removeprefix("Value error, ")
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"must be at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} entr{'y' if ctx.get('min_length') == 1 else 'ies'}"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} entries"
    if kind == "greater_than_equal":
        return f"must be at least {_num(ctx.get('ge'))}"
    if kind == "greater_than":
        return f"must be above {_num(ctx.get('gt'))}"
    if kind == "less_than_equal":
        return f"must be at most {_num(ctx.get('le'))}"
    if kind == "less_than":
        return f"must be below {_num(ctx.get('lt'))}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field (check the spelling)"
    if kind in _NUMBER_KINDS and _numeric_text(err.get("input")):
        return "must be a number written without quotes"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "must be a whole number"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return "must be a number"
    if kind == "list_type":
        return "must be a list"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be an object"
    if kind == "string_type":
        return "must be text"
    if kind == "enum":
        return f"must be one of {ctx.get('expected')}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"):
        return "must be a date and time (ISO 8601)"
    if kind == "string_pattern_mismatch":
        return f"does not have the expected form ({ctx.get('pattern')})"
    if kind == "none_required":
        return "must be null"
    if kind == "recursion_loop" or (kind == "json_invalid" and "recursion" in str(err.get("msg"))):
        return "is nested too deeply to be read"
    if kind == "json_invalid":
        return "is not valid JSON"
    return str(err.get("msg", kind))


def describe_validation_error(exc: ValidationError, data: Any) -> list[str]:
    """Every error of a failed validation, each as one sentence (not the first one only)."""
    return [describe_error(err, data) for err in exc.errors(include_url=False)]
