"""OpenAI-compatible LLM client for LM Studio and similar local servers (no Qt here)."""
from negotiator_app.llm.client import LLMClient
from negotiator_app.llm.datatypes import (
    ChatRequest, ChatResult, ModelInfo, ResponseFormatMode, ServerStatus, Usage,
)
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
