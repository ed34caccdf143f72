"""Helpers shared by the LLM client tests: run coroutines, build requests and fast clients."""
from __future__ import annotations

import asyncio
import socket
from collections.abc import Coroutine
from typing import Any, TypeVar

from negotiator_app.llm import ChatRequest, ChatResult, LLMClient

T = TypeVar("T")
SCHEMA = {"type": "object", "properties": {"price": {"type": "number"}}, "required": ["price"]}


def run(coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
    """No pytest-asyncio here: each async test body runs in its own loop, bounded in time."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def request(system: str = "You are Seller Acme.", **overrides: Any) -> ChatRequest:
    fields: dict[str, Any] = {
        "model": "fake-model",
        "messages": [{"role": "system", "content": system},
                     {"role": "user", "content": "What is your price?"}],
    }
    fields.update(overrides)
    return ChatRequest(**fields)


def client(base_url: str, **overrides: Any) -> LLMClient:
    options: dict[str, Any] = {"max_retries": 3, "backoff_s": 0.01, "read_timeout": 5.0,
                               "connect_timeout": 1.0}
    options.update(overrides)
    return LLMClient(base_url=base_url, **options)


async def complete(base_url: str, req: ChatRequest | None = None, *, on_content=None,
                   on_reasoning=None, **client_options: Any) -> ChatResult:
    async with client(base_url, **client_options) as llm:
        return await llm.complete(req or request(), on_content=on_content,
                                  on_reasoning=on_reasoning)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (the port was just released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


async def read_http_request(reader: asyncio.StreamReader) -> bytes:
    """Read one HTTP/1.1 request off a raw test server's connection (head and body); its head, lower-cased."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length")), b"0"))
    await reader.readexactly(length)
    return head.lower()


async def raw_http_server(respond) -> tuple[asyncio.Server, str, dict[str, int]]:
    """A bare HTTP/1.1 server on 127.0.0.1 for transport tests: `await respond(head, writer)` answers each request
    (its head as `read_http_request` gives it); returning True hangs up after the answer. Gives the server, its
    address and the connections and requests it has served."""
    served = {"connections": 0, "requests": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served["connections"] += 1
        try:
            while True:
                head = await read_http_request(reader)
                served["requests"] += 1
                if await respond(head, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", served
