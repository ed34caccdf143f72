"""Parses model listings: OpenAI's `/v1/models` and LM Studio's richer `/api/v0/models`."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from negotiator_app.llm.datatypes import ModelInfo
from negotiator_app.llm.errors import MalformedReply


def lmstudio_models_url(base_url: str) -> str:
    """`http://host:1234/v1` → `http://host:1234/api/v0/models` (LM Studio's REST API)."""
    parts = urlsplit(base_url)
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")]
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/api/v0/models", "", ""))


def model_ids(listing: object) -> list[str]:
    """Model ids from an OpenAI `/v1/models` body, in server order."""
    items = _data(listing)
    ids = [item["id"] for item in items
           if isinstance(item, dict) and isinstance(item.get("id"), str)]
    if items and not ids:
        raise MalformedReply("a model list without model ids")
    return ids


def lmstudio_details(listing: object) -> dict[str, tuple[bool | None, int | None]]:
    """id → (loaded, context length) from LM Studio's `/api/v0/models`; bad items are skipped."""
    details: dict[str, tuple[bool | None, int | None]] = {}
    for item in _data(listing):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        state = item.get("state")
        loaded = {"loaded": True, "not-loaded": False}.get(state if isinstance(state, str) else "")
        ctx = item.get("loaded_context_length") or item.get("max_context_length")
        details[item["id"]] = (loaded, ctx if isinstance(ctx, int) and ctx > 0 else None)
    return details


def merge(ids: list[str], details: dict[str, tuple[bool | None, int | None]]) -> list[ModelInfo]:
    return [
        ModelInfo(id=model_id, loaded=details.get(model_id, (None, None))[0],
                  context_length=details.get(model_id, (None, None))[1])
        for model_id in ids
    ]


def _data(listing: object) -> list[Any]:
    if not isinstance(listing, dict) or not isinstance(listing.get("data"), list):
        raise MalformedReply("a model list that is not {'data': [...]}")
    return listing["data"]
