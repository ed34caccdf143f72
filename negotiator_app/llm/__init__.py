"""OpenAI-compatible LLM client for LM Studio and similar local servers (no Qt here).

Names are imported on first use: the client needs httpx, the status and model records do not."""
from __future__ import annotations

from typing import TYPE_CHECKING

from negotiator_app.lazy_names import name_loader

if TYPE_CHECKING:
    from negotiator_app.llm.client import LLMClient
    from negotiator_app.llm.datatypes import ChatRequest, ChatResult, ModelInfo, ResponseFormatMode, ServerStatus, Usage
    from negotiator_app.llm.errors import (
        ContextTooLong, LLMError, LLMTimeout, MalformedReply, ModelNotFound, ReplyTimeLimit, ServerError,
        ServerUnreachable, StreamInterrupted,
    )
    from negotiator_app.llm.models import NoModelAvailable, choose_model, first_loaded

__all__ = [
    "LLMClient", "ChatRequest", "ChatResult", "Usage", "ModelInfo", "ServerStatus",
    "ResponseFormatMode", "LLMError", "ServerUnreachable", "ModelNotFound", "ContextTooLong",
    "LLMTimeout", "ReplyTimeLimit", "ServerError", "MalformedReply", "StreamInterrupted", "NoModelAvailable",
    "choose_model", "first_loaded",
]
__getattr__ = name_loader(__name__, {
    "client": ["LLMClient"],
    "datatypes": ["ChatRequest", "ChatResult", "ModelInfo", "ResponseFormatMode", "ServerStatus", "Usage"],
    "errors": ["ContextTooLong", "LLMError", "LLMTimeout", "MalformedReply", "ModelNotFound", "ReplyTimeLimit",
               "ServerError", "ServerUnreachable", "StreamInterrupted"],
    "models": ["NoModelAvailable", "choose_model", "first_loaded"],
}, globals())
