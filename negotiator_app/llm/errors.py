"""Typed errors raised by the LLM client, each with a message a person can act on."""
from __future__ import annotations


class LLMError(Exception):
    """Base of every client error; `user_message` (also `str(e)`) says what to do about it."""

    def __init__(self, user_message: str, *, partial: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        # Text already streamed before the failure, so callers can keep what was said.
        self.partial = partial

    def __str__(self) -> str:
        return self.user_message


class ServerUnreachable(LLMError):
    def __init__(self, base_url: str, detail: str = "") -> None:
        self.base_url = base_url
        self.detail = detail
        super().__init__(
            f"LM Studio is not running at {base_url}. Start the server in LM Studio's "
            "Developer tab, or point the session at the right server: its Server URL (Edit… → Model server), "
            "or --base-url on the command line."
        )


class ModelNotFound(LLMError):
    def __init__(self, model: str, server_text: str = "") -> None:
        self.model = model
        self.server_text = server_text
        msg = (
            f"The model '{model}' is not available on the server. Load it in LM Studio "
            "(or pick a loaded model in Settings) and try again."
        )
        if server_text:
            msg += f" Server said: {server_text}"
        super().__init__(msg)


class ContextTooLong(LLMError):
    def __init__(self, model: str, server_text: str = "", *, partial: str = "") -> None:
        self.model = model
        self.server_text = server_text
        msg = (
            f"The conversation no longer fits in the context window of '{model}'. Load the "
            "model with a larger context length in LM Studio, lower max tokens, or shorten "
            "the prompts."
        )
        if server_text:
            msg += f" Server said: {server_text}"
        super().__init__(msg, partial=partial)


class LLMTimeout(LLMError):
    def __init__(self, base_url: str, seconds: float | None, *, partial: str = "") -> None:
        self.base_url = base_url
        self.seconds = seconds
        waited = f" within {seconds:g} s" if seconds else ""
        super().__init__(
            f"The server at {base_url} did not answer{waited}. The model may still be loading "
            "or be too slow for this machine; try again, or raise the read timeout in Settings.",
            partial=partial,
        )


class ReplyTimeLimit(LLMTimeout):
    """The reply as a whole took longer than its limit, although chunks kept arriving (or trickling)."""

    def __init__(self, base_url: str, seconds: float, *, partial: str = "") -> None:
        super().__init__(base_url, seconds, partial=partial)
        self.user_message = (f"The server at {base_url} took longer than {seconds:g} s for one reply (the reply time "
                             "limit). The model may be too slow for this machine; try a smaller model or raise the "
                             "reply time limit in the session's LLM settings.")
        self.args = (self.user_message,)


class ServerError(LLMError):
    def __init__(self, status: int | None, server_text: str, *, partial: str = "") -> None:
        self.status = status
        self.server_text = server_text
        where = f"HTTP {status}" if status is not None else "an error during the reply"
        super().__init__(
            f"The model server answered with {where}: {server_text or '(no details)'}",
            partial=partial,
        )


class MalformedReply(LLMError):
    def __init__(self, detail: str, *, partial: str = "") -> None:
        self.detail = detail
        super().__init__(
            f"The model server sent a reply that could not be read ({detail}). Check that the "
            "URL points to an OpenAI-compatible server such as LM Studio.",
            partial=partial,
        )


class StreamInterrupted(LLMError):
    def __init__(self, partial: str, detail: str = "", *, reasoning: str = "") -> None:
        self.detail = detail
        self.reasoning = reasoning
        super().__init__(
            "The connection to the model server broke while the reply was streaming; the text "
            "received so far is kept. Check that LM Studio is still running and try again.",
            partial=partial,
        )
