"""The lean transport's pump: a body handed to a consumer as it arrives, in the socket's callback, over real sockets."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from negotiator_app.llm.transport import PUMP, LeanTransport
from tests.llm.support import client, raw_http_server, request, run
from tests.llm.test_transport import _raw_server


def sse(*texts: str) -> bytes:
    """A chunked SSE body: one HTTP chunk per event, a finish event and [DONE] (without the body's terminator)."""
    events = [{"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]} for text in texts]
    events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    lines = [b"data: " + json.dumps(e).encode() + b"\n\n" for e in events] + [b"data: [DONE]\n\n"]
    return b"".join(b"%x\r\n%s\r\n" % (len(line), line) for line in lines)


HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=1\r\nhe\r\n9\r\nllo world\r\n0\r\nX-Trailer: 1\r\n\r\n",
    b"HTTP/1.0 200 OK\r\n\r\nhello world",  # read to close
], ids=["content-length", "chunked", "read-to-close"])
def test_a_pumped_body_is_the_same_body_as_read_through_httpx(answer):
    async def go():
        server, url, _ = await _raw_server(answer, close=answer.startswith(b"HTTP/1.0"))
        pieces: list[bytes] = []
        async with server, httpx.AsyncClient(transport=LeanTransport(), timeout=5.0) as http:
            async with http.stream("POST", url, content=b"{}") as reply:
                ended_by_consumer = await reply.extensions[PUMP](lambda data: pieces.append(data) is not None)
            whole = (await http.post(url, content=b"{}")).content
        return b"".join(pieces), whole, ended_by_consumer

    pumped, whole, ended_by_consumer = run(go())
    assert pumped == whole == b"hello world"
    assert ended_by_consumer is False  # the body ended, the consumer never said it was done


def test_what_the_consumer_raises_in_the_socket_callback_is_raised_by_the_pump_and_the_connection_dropped():
    async def go():
        server, url, served = await _raw_server(HEAD + sse("one", "two") + b"0\r\n\r\n", close=False)
        transport = LeanTransport()
        async with server, httpx.AsyncClient(transport=transport, timeout=5.0) as http:
            async with http.stream("POST", url, content=b"{}") as reply:
                def consume(data: bytes) -> bool:
                    raise ValueError("the consumer refuses this")
                with pytest.raises(ValueError, match="refuses"):
                    await reply.extensions[PUMP](consume)
            return transport

    transport = run(go())
    assert not transport._open  # stopped mid-body: the connection is closed, never reused


def test_a_reply_whose_body_ends_a_moment_after_done_leaves_its_connection_for_the_next_request():
    """A reader stops at [DONE]; the body's last bytes (the chunked terminator) come a little later. The connection
    waits for them (the request ends when its response does), and the next request reuses the connection."""
    async def respond(_head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(HEAD + sse("Price ", "is ", "42."))
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return False

    async def go():
        server, url, served = await raw_http_server(respond)
        async with server, client(url + "/v1") as llm:
            texts = []
            for _ in range(3):
                texts.append((await llm.complete(request(stream=True))).content)
                await asyncio.sleep(0.3)  # the terminator arrives meanwhile
        return texts, served

    texts, served = run(go())
    assert texts == ["Price is 42."] * 3
    assert served == {"connections": 1, "requests": 3}


def test_the_client_asking_its_transport_directly_still_sends_back_a_cookie_the_server_set():
    """A gateway in front of several servers may pin a client to one with a cookie: it comes back as with httpx."""
    heads: list[bytes] = []

    async def respond(head: bytes, writer: asyncio.StreamWriter) -> bool:
        heads.append(head)
        writer.write(HEAD.replace(b"\r\n\r\n", b"\r\nSet-Cookie: route=node-7; Path=/\r\n\r\n")
                     + sse("Deal.") + b"0\r\n\r\n")
        await writer.drain()
        return False

    async def go():
        server, url, _ = await raw_http_server(respond)
        async with server, client(url + "/v1") as llm:
            return [(await llm.complete(request(stream=True))).content for _ in range(2)]

    assert run(go()) == ["Deal.", "Deal."]
    assert b"cookie: route=node-7" not in heads[0] and b"cookie: route=node-7" in heads[1]


def test_a_chat_request_built_from_the_prepared_url_and_headers_is_the_one_httpx_would_build():
    async def go():
        async with client("http://127.0.0.1:9/v1", api_key="sk-1") as llm:
            llm._http.cookies.set("route", "node-7")
            payload = {"model": "m", "messages": [{"role": "user", "content": "Prix en € ?"}], "temperature": 0.5}
            ours = llm._chat_request(payload)
            theirs = llm._http.build_request("POST", f"{llm.base_url}/chat/completions", json=payload)
            return ours, theirs

    ours, theirs = run(go())
    assert (ours.method, ours.url, ours.content, ours.extensions) == (theirs.method, theirs.url, theirs.content,
                                                                     theirs.extensions)
    assert sorted(ours.headers.raw) == sorted(theirs.headers.raw)
    assert ours.headers["cookie"] == "route=node-7" and ours.headers["authorization"] == "Bearer sk-1"


def test_a_server_that_never_ends_the_body_after_done_costs_the_reply_a_moment_not_the_read_timeout():
    """[DONE] came, the body's end does not: the reply is returned after a short wait for it (not after the long read
    timeout), and that connection is not used again."""
    async def respond(_head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(HEAD + sse("Fine."))  # and never the terminator
        await writer.drain()
        return False

    async def go():
        server, url, served = await raw_http_server(respond)
        async with server, client(url + "/v1", read_timeout=600.0) as llm:
            return [(await llm.complete(request(stream=True))).content for _ in range(2)], served

    texts, served = run(go(), timeout=20.0)
    assert texts == ["Fine.", "Fine."]
    assert served["connections"] == 2
