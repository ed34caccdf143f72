"""A fake LM Studio: a real OpenAI-compatible HTTP server on 127.0.0.1 with scripted replies."""
from __future__ import annotations

import json
import select
import socket
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.fake_reply import (
    GARBAGE, FakeReply, as_reply, chunk_event, completion_body, error_body,
    estimate_prompt_tokens, stream_deltas, usage_object,
)

__all__ = ["FakeLMStudio", "FakeReply"]

CONTEXT_ERROR = ("The number of tokens to keep from the initial prompt is greater than the "
                 "context length. Try to load the model with a larger context length, or "
                 "provide a shorter input")
DEFAULT_MODELS = [
    {"id": "fake-model", "state": "loaded", "max_context_length": 8192},
    {"id": "other-model", "state": "not-loaded", "max_context_length": 32768},
]


class ClientGone(Exception):
    """The client closed the connection before the reply ended."""


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True  # hung handlers must not block shutdown

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients resetting idle keep-alive connections is normal; anything else is a fake bug.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class FakeLMStudio:
    """Start with `with FakeLMStudio() as fake:`; point clients at `fake.base_url`."""

    def __init__(self, *, per_token_delay_s: float = 0.0) -> None:
        self.per_token_delay_s = per_token_delay_s
        self.default_reply: FakeReply | str = "Hello from the fake model."
        self.responder: Callable[[dict[str, Any]], FakeReply | str] | None = None
        self.reject_json_schema = False  # like llama-cpp-python
        self.reject_json_object = False  # like LM Studio
        # Real llama-cpp-python 0.3 answers json_schema with HTTP 500 and a pydantic dump.
        self.reject_status = 400
        self.context_limit: int | None = None
        self.context_overflow = "error"  # or "empty": 200 with no content, finish "length"
        self.lmstudio_api = True
        self.strict_models = False  # 404 for models not in `models`
        self.models: list[dict[str, Any]] = [dict(m) for m in DEFAULT_MODELS]
        self.fail_next: list[FakeReply] = []
        self.requests: list[dict[str, Any]] = []
        self.all_requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.stream_end_times: list[float] = []  # time.monotonic() when a stream's last delta left
        self.max_in_flight = 0
        self.disconnects = 0
        self._in_flight = 0
        self._scripts: dict[str, list[FakeReply]] = {}
        self._any: list[FakeReply] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    # ----- configuration -----------------------------------------------------------------

    def script(self, key: str, replies: list[FakeReply | str]) -> None:
        """Replies for requests whose first message contains `key`; the last one repeats."""
        with self._lock:
            self._scripts[key] = [as_reply(r) for r in replies]

    def script_any(self, replies: list[FakeReply | str]) -> None:
        """Fallback queue for requests no script key matches."""
        with self._lock:
            self._any.extend(as_reply(r) for r in replies)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def in_flight(self) -> int:
        return self._in_flight

    # ----- lifecycle ---------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeLMStudio:
        """Listen on `port` (0: any free one); a stopped fake can start again on its old port, as a
        restarted server would."""
        self._stopping.clear()
        self._server = _QuietServer(("127.0.0.1", port), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # wake handlers blocked on keep-alive reads
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> FakeLMStudio:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ----- request handling (called on handler threads) ----------------------------------

    def _pick_reply(self, body: dict[str, Any]) -> FakeReply:
        with self._lock:
            messages = body.get("messages") or [{}]
            first = messages[0].get("content") if isinstance(messages[0], dict) else ""
            first = first if isinstance(first, str) else json.dumps(first)
            for key, replies in self._scripts.items():
                if key in first and replies:
                    return replies.pop(0) if len(replies) > 1 else replies[0]
            if self._any:
                return self._any.pop(0)
        if self.responder is not None:
            return as_reply(self.responder(body))
        return as_reply(self.default_reply)

    def _take_fail_next(self) -> FakeReply | None:
        with self._lock:
            return self.fail_next.pop(0) if self.fail_next else None

    def _precheck(self, body: dict[str, Any]) -> tuple[int, bytes] | str | None:
        """Server-wide refusals, before any scripted reply is used up."""
        fmt = (body.get("response_format") or {}).get("type")
        if fmt == "json_schema" and self.reject_json_schema:
            return self.reject_status, error_body(
                "1 validation error: {'type': 'literal_error', 'loc': ('body', 'response_format', "
                "'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}")
        if fmt == "json_object" and self.reject_json_object:
            return 400, error_body("'response_format.type' must be 'json_schema' or 'text'")
        model = body.get("model")
        if self.strict_models and model not in {m["id"] for m in self.models}:
            return 404, error_body(json.dumps({"error": {
                "message": f"Model '{model}' not found", "code": "model_not_found"}}))
        if self.context_limit is not None:
            needed = estimate_prompt_tokens(body) + int(body.get("max_tokens") or 0)
            if needed > self.context_limit:
                return "context_empty" if self.context_overflow == "empty" else (
                    400, error_body(CONTEXT_ERROR))
        return None

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self, gone: bool) -> None:
        with self._lock:
            self._in_flight -= 1
            self.disconnects += int(gone)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections end by themselves
    server: Any

    @property
    def fake(self) -> FakeLMStudio:
        return self.server.fake

    def setup(self) -> None:
        super().setup()
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake._lock:
            self.fake._connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self) -> None:
        self._record(None)
        path = self.path.split("?")[0].rstrip("/")
        if path == "/v1/models":
            data = [{"id": m["id"], "object": "model", "owned_by": "organization_owner"}
                    for m in self.fake.models]
            self._send(200, json.dumps({"object": "list", "data": data}).encode())
        elif path == "/api/v0/models" and self.fake.lmstudio_api:
            data = [{"object": "model", "type": "llm", **m} for m in self.fake.models]
            self._send(200, json.dumps({"object": "list", "data": data}).encode())
        else:
            self._send(404, error_body(f"Unexpected endpoint or method. (GET {path})"))

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            self._record(raw)
            self._send(400, error_body("request body is not JSON"))
            return
        self._record(body)
        if self.path.split("?")[0].rstrip("/") != "/v1/chat/completions":
            self._send(404, error_body(f"Unexpected endpoint or method. (POST {self.path})"))
            return
        with self.fake._lock:
            self.fake.requests.append(body)
        self.fake._enter()
        gone = False
        try:
            self._answer(body)
        except ClientGone:
            gone = True
            self.close_connection = True
        finally:
            self.fake._leave(gone)

    def _answer(self, body: dict[str, Any]) -> None:
        reply = self.fake._take_fail_next()
        if reply is None:
            refusal = self.fake._precheck(body)
            if isinstance(refusal, tuple):
                self._send(*refusal)
                return
            reply = (FakeReply(content="", finish_reason="length") if refusal == "context_empty"
                     else self.fake._pick_reply(body))
        delay = (reply.token_delay_s if reply.token_delay_s is not None
                 else self.fake.per_token_delay_s)
        model = str(body.get("model") or "fake-model")
        if reply.fault == "hang":
            while not self.fake._stopping.is_set():
                self._wait(0.05)
        elif reply.fault == "status":
            self._send(reply.status, error_body(reply.body))
        elif not body.get("stream"):
            self._answer_whole(reply, body, model)
        else:
            self._answer_stream(reply, body, model, delay)

    def _answer_whole(self, reply: FakeReply, body: dict[str, Any], model: str) -> None:
        if reply.fault == "drop":
            self._drop()
        elif reply.fault == "garbage":
            self._send(200, GARBAGE)
        elif reply.fault == "empty":
            self._send(200, b"")
        else:
            self._send(200, json.dumps(completion_body(reply, body, model)).encode())

    def _answer_stream(self, reply: FakeReply, body: dict[str, Any], model: str,
                       delay: float) -> None:
        if reply.fault == "drop" and reply.drop_after == 0:
            self._drop()  # before any header: "server disconnected without a response"
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if reply.fault == "empty":
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")
            return
        self._chunk(chunk_event(model, {"role": "assistant"}))
        deltas = stream_deltas(reply)
        for index, delta in enumerate(deltas):
            if index == reply.drop_after and reply.fault in {"drop", "garbage", "stream_error"}:
                self._fault_mid_stream(reply)
                return
            self._wait(delay)
            self._chunk(chunk_event(model, delta))
        if reply.fault in {"drop", "garbage", "stream_error"}:
            self._fault_mid_stream(reply)  # drop_after beyond the end: fault after the last delta
            return
        with self.fake._lock:
            self.fake.stream_end_times.append(time.monotonic())
        self._chunk(chunk_event(model, {}, reply.finish_reason))
        if reply.usage and (body.get("stream_options") or {}).get("include_usage"):
            self._chunk(chunk_event(model, None, usage=usage_object(body, len(deltas))))
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")

    def _fault_mid_stream(self, reply: FakeReply) -> None:
        if reply.fault == "drop":
            self._drop()
        elif reply.fault == "garbage":
            self._chunk(GARBAGE)
            self._chunk(b"")
        else:
            self._chunk(b"data: " + json.dumps({"error": {"message": reply.body}}).encode()
                        + b"\n\n")
            self._chunk(b"")

    # ----- wire helpers ------------------------------------------------------------------

    def _record(self, body: Any) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        with self.fake._lock:
            self.fake.all_requests.append((self.command, self.path, headers, body))

    def _send(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self._write(payload)

    def _chunk(self, data: bytes) -> None:
        """One HTTP/1.1 chunk; an empty one ends the body."""
        self._write(b"%x\r\n%s\r\n" % (len(data), data))

    def _write(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError as exc:
            raise ClientGone from exc

    def _wait(self, seconds: float) -> None:
        """Sleep, but notice at once when the client hangs up (EOF on our socket)."""
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            try:
                readable, _, _ = select.select([self.connection], [], [], max(remaining, 0))
                if readable:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        raise ClientGone
                    time.sleep(max(remaining, 0))  # pipelined bytes, not a hang-up
            except (OSError, ValueError) as exc:
                raise ClientGone from exc
            if remaining <= 0 or self.fake._stopping.is_set():
                return

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
