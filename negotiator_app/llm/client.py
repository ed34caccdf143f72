"""Async client for OpenAI-compatible chat servers (LM Studio first): stream, retry, fall back."""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any, NoReturn, cast

import httpx

from negotiator_app.llm import http_errors, probe
from negotiator_app.llm.datatypes import (
    ChatRequest, ChatResult, ModelInfo, ResponseFormatMode, ServerStatus,
)
from negotiator_app.llm.fast_delta import DeltaTemplate
from negotiator_app.llm.errors import (
    LLMError, LLMTimeout, MalformedReply, ReplyTimeLimit, ServerError, ServerUnreachable, StreamInterrupted,
)
from negotiator_app.llm.reply import ReplyBuilder, TextCallback
from negotiator_app.llm.sse import SSEFormatError, SSEParser
from negotiator_app.llm.transport import PUMP, LeanTransport, default_transport

_HTTPX_LOG = logging.getLogger("httpx")
# Tried in this order: LM Studio takes json_schema, llama-cpp-python json_object + schema.
FORMAT_CHAIN: tuple[ResponseFormatMode, ...] = ("json_schema", "json_object", "text")


class _Retryable(Exception):
    """Failed before any token arrived, so re-sending is safe; `error` is raised at the end."""

    def __init__(self, error: LLMError, wait_s: float | None = None) -> None:
        self.error = error
        self.wait_s = wait_s


class _FormatRejected(Exception):
    def __init__(self, error: LLMError) -> None:
        self.error = error


class LLMClient:
    """One server, one connection pool; safe to share between concurrent tasks."""

    def __init__(
        self,
        base_url: str = "http://localhost:1234/v1",
        api_key: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float | None = 300.0,
        reply_timeout: float | None = None,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # Told after each request whether the server was reached (an answer began) or not (connection
        # refused): what running rooms show about the server, so nobody has to probe it meanwhile.
        self.on_contact: Callable[[bool], None] | None = None
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self._api_key = api_key or None
        self._read_timeout = read_timeout
        self._reply_timeout = reply_timeout  # the whole reply, however steadily (or slowly) chunks arrive
        # The accepted mode is a property of the server, so later requests start from it.
        self._format_mode: ResponseFormatMode = "json_schema"
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        transport = transport or default_transport(self.base_url)
        self._lean = transport if isinstance(transport, LeanTransport) else None
        self._chat: tuple[httpx.URL, list[tuple[bytes, bytes]], dict[str, Any]] | None = None  # see _chat_request
        self._http = httpx.AsyncClient(
            headers=headers,
            transport=transport,
            # Plain HTTP never does TLS (redirects are not followed), and loading the CA bundle for nothing
            # costs 100-200 ms on the GUI thread each time a session opens (when httpx's own transport is
            # used, behind a proxy). HTTPS verifies as usual.
            verify=not self.base_url.startswith("http://"),
            # A model that is loading can take minutes before the first byte: short connect,
            # long read; no pool timeout because callers bound their own concurrency.
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout,
                                  write=max(connect_timeout, 10.0), pool=None),
        )

    def __repr__(self) -> str:
        key = "'***'" if self._api_key else "None"
        return f"LLMClient(base_url={self.base_url!r}, api_key={key})"

    @property
    def structured_output_mode(self) -> ResponseFormatMode:
        """The `response_format` this server accepted last (json_schema until told otherwise)."""
        return self._format_mode

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> LLMClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # ----- models and status -------------------------------------------------------------

    async def list_models(self) -> list[ModelInfo]:
        ids = probe.model_ids(await self._get_json(f"{self.base_url}/models"))
        try:
            details = probe.lmstudio_details(
                await self._get_json(probe.lmstudio_models_url(self.base_url)))
        except LLMError:
            details = {}  # not LM Studio (llama-cpp-python, vLLM...): loaded state unknown
        return probe.merge(ids, details)

    async def status(self) -> ServerStatus:
        """Never raises: a failure becomes `error`, worded for the user."""
        try:
            models = await self.list_models()
        except ServerUnreachable as exc:
            return ServerStatus(reachable=False, base_url=self.base_url, error=exc.user_message)
        except LLMError as exc:
            return ServerStatus(reachable=True, base_url=self.base_url, error=exc.user_message)
        except Exception as exc:  # noqa: BLE001 - a status probe must not crash its caller
            return ServerStatus(reachable=False, base_url=self.base_url,
                                error=self._redact(f"Unexpected error: {exc!r}"))
        return ServerStatus(reachable=True, base_url=self.base_url, models=models)

    async def _get_json(self, url: str) -> Any:
        try:
            response = await self._http.get(url)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            self._contact(False)
            raise ServerUnreachable(self.base_url, self._redact(str(exc))) from None
        except httpx.TimeoutException:
            raise LLMTimeout(self.base_url, self._read_timeout) from None
        except httpx.TransportError as exc:
            raise ServerError(None, self._redact(str(exc) or type(exc).__name__)) from None
        self._contact(True)
        if response.status_code >= 400:
            raise ServerError(response.status_code,
                              self._redact(http_errors.server_text(response.content)))
        try:
            return response.json()
        except ValueError:
            raise MalformedReply(f"a model list that is not JSON from {url}") from None

    # ----- chat completions --------------------------------------------------------------

    async def complete(
        self,
        request: ChatRequest,
        on_content: TextCallback | None = None,
        on_reasoning: TextCallback | None = None,
    ) -> ChatResult:
        """Run one completion; callbacks get each delta as it arrives. Raises `LLMError`s."""
        if request.json_schema is None:
            return await self._with_retries(request, "text", on_content, on_reasoning)
        modes = FORMAT_CHAIN[FORMAT_CHAIN.index(self._format_mode):]
        for mode in modes:
            try:
                result = await self._with_retries(request, mode, on_content, on_reasoning)
            except _FormatRejected:
                continue  # "text" never raises this, so the loop always ends in return/raise
            self._format_mode = mode  # remembered only once the server has accepted it
            return result
        raise AssertionError("unreachable: text mode cannot be rejected")

    async def _with_retries(
        self, request: ChatRequest, mode: ResponseFormatMode,
        on_content: TextCallback | None, on_reasoning: TextCallback | None,
    ) -> ChatResult:
        payload = _payload(request, mode)
        for attempt in range(self.max_retries + 1):
            try:
                return await self._attempt(payload, request, mode, on_content, on_reasoning)
            except _Retryable as failure:
                if attempt == self.max_retries:
                    raise failure.error from None
                await asyncio.sleep(failure.wait_s or self.backoff_s * 2**attempt)
        raise AssertionError("unreachable")

    async def _attempt(
        self, payload: dict[str, Any], request: ChatRequest, mode: ResponseFormatMode,
        on_content: TextCallback | None, on_reasoning: TextCallback | None,
    ) -> ChatResult:
        builder = ReplyBuilder(request.model, on_content, on_reasoning)
        try:
            async with asyncio.timeout(self._reply_timeout):
                await self._send(payload, request, mode, builder)
        except TimeoutError:
            raise ReplyTimeLimit(self.base_url, self._reply_timeout or 0, partial=builder.content) from None
        return builder.result(mode if request.json_schema is not None else "text",
                              streamed=request.stream)

    async def _send(self, payload: dict[str, Any], request: ChatRequest, mode: ResponseFormatMode,
                    builder: ReplyBuilder) -> None:
        try:
            response = await self._open(self._chat_request(payload))
            # Closed however this ends: on cancellation, closing the connection makes the server stop generating.
            async with aclosing(response):
                self._contact(True)
                if response.status_code >= 400:
                    await self._fail_on_status(response, request.model, mode)
                content_type = response.headers.get("content-type", "")
                if request.stream and "json" not in content_type:
                    await self._read_stream(response, builder)
                else:  # some servers ignore `stream` and answer with one JSON body
                    body = _parse_json(await response.aread())
                    if isinstance(body, dict) and body.get("error"):
                        text = self._redact(http_errors.error_text_from_json(body))
                        raise http_errors.classify(None, text, request.model)
                    builder.add_response(body)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            self._contact(False)
            raise _Retryable(ServerUnreachable(self.base_url, self._redact(str(exc)))) from None
        except httpx.TimeoutException:
            raise LLMTimeout(self.base_url, self._read_timeout, partial=builder.content) from None
        except httpx.DecodingError as exc:
            raise MalformedReply(f"undecodable bytes: {exc}", partial=builder.content) from None
        except httpx.TransportError as exc:
            detail = self._redact(str(exc) or type(exc).__name__)
            if builder.started:
                raise StreamInterrupted(builder.content, detail,
                                        reasoning=builder.reasoning) from None
            # Nothing arrived yet, so the server did not generate for us: safe to re-send.
            raise _Retryable(StreamInterrupted("", detail)) from None

    def _chat_request(self, payload: dict[str, Any]) -> httpx.Request:
        """What `build_request("POST", url, json=payload)` builds, from the URL and headers prepared once: parsing
        and merging them again for every request costs more than the request's own JSON."""
        if self._chat is None:
            url = httpx.URL(f"{self.base_url}/chat/completions")
            headers = [*self._http.headers.raw, (b"Content-Type", b"application/json")]
            self._chat = (url, headers, {"timeout": self._http.timeout.as_dict()})
        url, headers, extensions = self._chat
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
        return httpx.Request("POST", url, headers=headers, cookies=self._http.cookies or None, content=body,
                             extensions=extensions)

    async def _open(self, request: httpx.Request) -> httpx.Response:
        """The response to `request`, its body still to read. Our own transport is asked directly: what
        AsyncClient.send adds around a transport (auth flows, redirects, event hooks, per-URL transports) is
        nothing for this client, and costs more than the transport itself; cookies are kept as httpx keeps them."""
        if self._lean is None:
            return await self._http.send(request, stream=True)
        response = await self._lean.handle_async_request(request)
        response.request = request
        if "set-cookie" in response.headers:
            self._http.cookies.extract_cookies(response)
        if _HTTPX_LOG.isEnabledFor(logging.INFO):  # the line httpx logs for every request (the app's log keeps it)
            _HTTPX_LOG.info('HTTP Request: %s %s "%s %d %s"', request.method, request.url, response.http_version,
                            response.status_code, response.reason_phrase)
        return response

    def _contact(self, reached: bool) -> None:
        if self.on_contact is not None:
            self.on_contact(reached)

    async def _read_stream(self, response: httpx.Response, builder: ReplyBuilder) -> None:
        parser = SSEParser()
        template = DeltaTemplate()

        def take(chunk: bytes) -> bool:
            """One read of the body into the reply; True at the end of the stream ([DONE])."""
            for data in parser.feed(chunk):
                content = template.content(data)
                if content is not None:  # the usual event: its text without parsing it
                    builder.add_content(content, template.model)
                elif self._take_event(data, builder, template):
                    return True
            return False

        pump = response.extensions.get(PUMP) if "content-encoding" not in response.headers else None
        try:
            if pump is not None:  # our transport: each read is parsed in the socket's callback, as it arrives
                ended = await pump(take)
            else:
                ended = await _read_body(response, take)
            if not ended:
                for data in parser.close():
                    if self._take_event(data, builder):
                        return
        except SSEFormatError as exc:
            raise MalformedReply(str(exc), partial=builder.content) from None
        if ended:
            return
        if builder.started and builder.finish_reason is None:
            # Closed cleanly but without [DONE] or a finish reason: the reply was cut off.
            raise StreamInterrupted(builder.content, "stream ended early",
                                    reasoning=builder.reasoning)

    def _take_event(self, data: str, builder: ReplyBuilder, template: DeltaTemplate | None = None) -> bool:
        """One `data:` payload into the reply; True at the end of the stream ([DONE])."""
        if data == "[DONE]" or (len(data) < 32 and data.strip() == "[DONE]"):
            return True
        try:
            chunk = json.loads(data)
        except ValueError:  # the partial text is worked out only now: it costs a copy of the reply so far
            chunk = _parse_json(data, partial=builder.content)
        if isinstance(chunk, dict) and chunk.get("error"):
            text = self._redact(http_errors.error_text_from_json(chunk))
            raise http_errors.classify(None, text, builder.model, partial=builder.content)
        builder.add_chunk(chunk)
        if template is not None:
            template.learn(data, chunk)
        return False

    async def _fail_on_status(
        self, response: httpx.Response, model: str, mode: ResponseFormatMode,
    ) -> NoReturn:
        status = response.status_code
        text = self._redact(http_errors.server_text(await response.aread()))
        error = http_errors.classify(status, text, model)
        if http_errors.is_retryable(status, text):
            wait = http_errors.retry_after_seconds(response.headers.get("retry-after"))
            raise _Retryable(error, wait)
        if mode != "text" and http_errors.is_format_rejection(status, text):
            raise _FormatRejected(error)
        raise error

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text


def _payload(request: ChatRequest, mode: ResponseFormatMode) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "model": request.model,
        "messages": request.messages,
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "stream": request.stream,
    }
    if request.stream:
        payload["stream_options"] = {"include_usage": True}
    schema = request.json_schema
    if schema is not None and mode == "json_schema":
        payload["response_format"] = {
            "type": "json_schema", "json_schema": {"name": request.schema_name, "schema": schema}}
    elif schema is not None and mode == "json_object":
        payload["response_format"] = {"type": "json_object", "schema": schema}
    return payload


async def _read_body(response: httpx.Response, take: Callable[[bytes], bool]) -> bool:
    """The body through httpx's iterator (another transport, or a compressed body) into `take`; True when `take`
    saw the end it waits for."""
    # Bytes as they came off the wire when nothing is compressed: one layer less per chunk.
    body = cast(AsyncGenerator[bytes, None],  # httpx types its async generators as mere iterators
                response.aiter_bytes() if "content-encoding" in response.headers else response.aiter_raw())
    # aclosing: the generator is closed here, not left to a loop (qasync's) without asyncgen hooks.
    async with aclosing(body) as chunks:
        async for chunk in chunks:
            if take(chunk):
                return True
    return False


def _parse_json(raw: bytes | str, partial: str = "") -> Any:
    if not raw or not raw.strip():
        raise MalformedReply("an empty body", partial=partial)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        shown = raw[:60] if isinstance(raw, str) else raw[:60].decode("utf-8", "replace")
        raise MalformedReply(f"text that is not JSON: {shown!r}", partial=partial) from None
