"""A lean HTTP/1.1 transport under httpx, on asyncio's own protocol layer: keep-alive, chunked bodies, timeouts.

httpx's default transport (httpcore on anyio, parsed by h11) costs several times a bare socket reader per
streamed chunk; with many parallel streams that is most of the app's CPU. This transport keeps httpx's API
for the rest of the code and reads each response straight from the socket buffer. It speaks only what chat
servers need: one request at a time per connection, `Content-Length`, chunked or read-to-close bodies,
idle connections reused; failures raise httpx's own exceptions, so callers handle them as before.
"""
from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import urllib.request
from urllib.parse import urlsplit

import httpx

PUMP = "negotiator.pump"  # response extension: `await pump(consume)` feeds the body to `consume` as it arrives
MAX_HEAD = 64 * 1024  # a status line and headers longer than this are not a chat server's
MAX_IDLE_PER_HOST = 64
BODY_END_GRACE_S = 1.0  # how long a reader that has all it wants waits for the end of the body
_PAUSE_AT = 1024 * 1024  # stop reading the socket while this much is unread


def default_transport(base_url: str) -> httpx.AsyncBaseTransport | None:
    """The lean transport, unless the environment routes this URL through a proxy (then httpx's own, which
    honours HTTP(S)_PROXY and NO_PROXY)."""
    parts = urlsplit(base_url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return LeanTransport()


class _Gone(Exception):
    """The server closed the connection (or it broke) while we waited for bytes."""


class _Connection(asyncio.Protocol):
    """One socket: what arrived waits in `buffer`; a reader waits on `wait()`."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.closed = False  # EOF, an error, or closed by us: never reused
        self.error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        # Set while a body is pumped: called for every read, in the protocol callback (no task wakes up per read).
        self.sink: Callable[[], None] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._paused = False
        # One timer per connection enforces the read timeout of every wait (a timer per read costs more).
        self._wait_since = 0.0
        self._timeout: float | None = None
        self._timer: asyncio.Handle | None = None  # qasync's loop returns a plain Handle (no when())
        self._timer_at = 0.0  # when the timer fires

    # ----- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        sink = self.sink
        if sink is not None:
            self._wait_since = self.loop.time()  # the read timeout counts silence
            sink()
            return
        if len(self.buffer) > _PAUSE_AT and self.transport is not None and not self._paused:
            self._paused = True
            self.transport.pause_reading()
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def eof_received(self) -> bool:
        self._end(None)
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._end(exc)
        drained = self._drained
        if drained is not None and not drained.done():
            drained.set_result(None)

    def pause_writing(self) -> None:
        self._drained = self.loop.create_future()

    def resume_writing(self) -> None:
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def _end(self, exc: BaseException | None) -> None:
        self.closed = True
        self.error = self.error or exc
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(_Gone(str(exc) if exc else "the server closed the connection"))

    # ----- used by the transport -----------------------------------------------------------------

    async def wait(self, timeout: float | None) -> None:
        """Until more bytes arrive; raises _Gone at EOF, TimeoutError after `timeout` s of silence."""
        if self.closed:
            raise _Gone(str(self.error) if self.error else "the server closed the connection")
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        waiter = self._waiter = self.loop.create_future()
        if timeout is not None:
            self._wait_since, self._timeout = self.loop.time(), timeout
            deadline = self._wait_since + timeout
            if self._timer is not None and self._timer_at > deadline:  # a shorter wait than the timer's
                self._timer.cancel()
                self._timer = None
            if self._timer is None:
                self._timer, self._timer_at = self.loop.call_at(deadline, self._check_timeout), deadline
        try:
            await waiter
        finally:
            self._waiter = None
            self._timeout = None

    def resolve(self, error: BaseException | None) -> None:
        """Ends the current wait: normally (None) or with `error`."""
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)

    def _check_timeout(self) -> None:
        self._timer = None
        waiter, timeout = self._waiter, self._timeout
        if waiter is None or waiter.done() or timeout is None:
            return  # not waiting now: the next wait arms the timer again
        deadline = self._wait_since + timeout
        if self.loop.time() >= deadline:
            waiter.set_exception(TimeoutError())
        else:  # a later wait began since the timer was set: check again at its own deadline
            self._timer, self._timer_at = self.loop.call_at(deadline, self._check_timeout), deadline

    async def send(self, data: bytes, timeout: float | None) -> None:
        if self.closed or self.transport is None:
            raise _Gone("the server closed the connection")
        self.transport.write(data)
        if self._drained is not None:
            async with asyncio.timeout(timeout):
                await self._drained
        if self.closed:
            raise _Gone(str(self.error) if self.error else "the server closed the connection")

    def close(self) -> None:
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.transport is not None:
            self.transport.close()  # ends the request: a server stops generating for a closed connection


class LeanTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over asyncio for httpx.AsyncClient(transport=...); http and https, no proxies, no HTTP/2."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl_context = ssl_context
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._open: set[_Connection] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        key = (request.url.scheme, request.url.host, request.url.port or (443 if request.url.scheme == "https" else 80))
        payload = _head(request) + _body(await request.aread(), request)
        conn = self._take_idle(key)
        if conn is not None:
            try:
                return await self._exchange(conn, key, payload, request, timeouts)
            except _StaleConnection:
                pass  # the server closed an idle connection just as we reused it: nothing was processed
        conn = await self._connect(key, request, timeouts.get("connect"))
        try:
            return await self._exchange(conn, key, payload, request, timeouts)
        except _StaleConnection:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request) from None

    async def aclose(self) -> None:
        for conn in list(self._open):
            conn.close()
        self._open.clear()
        self._idle.clear()

    # ----- connections -----------------------------------------------------------------------------

    def _take_idle(self, key: tuple[str, str, int]) -> _Connection | None:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if not conn.closed and not conn.buffer:
                return conn
            self._forget(conn)  # closed by the server while idle (or sent bytes nobody asked for)
        return None

    def _release(self, key: tuple[str, str, int], conn: _Connection) -> None:
        idle = self._idle.setdefault(key, [])
        if conn.closed or len(idle) >= MAX_IDLE_PER_HOST:
            self._forget(conn)
        else:
            idle.append(conn)

    def _forget(self, conn: _Connection) -> None:
        conn.close()
        self._open.discard(conn)

    async def _connect(self, key: tuple[str, str, int], request: httpx.Request, timeout: float | None) -> _Connection:
        scheme, host, port = key
        loop = asyncio.get_running_loop()
        tls = self._tls() if scheme == "https" else None
        try:
            async with asyncio.timeout(timeout):
                _, conn = await loop.create_connection(lambda: _Connection(loop), host, port, ssl=tls,
                                                       server_hostname=host if tls else None)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {host}:{port} within {timeout:g} s",
                                       request=request) from None
        except OSError as exc:  # refused, unknown host, TLS failure (ssl.SSLError is an OSError)
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from None
        self._open.add(conn)
        return conn

    def _tls(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()  # certifi, SSL_CERT_FILE: as httpx itself
        return self._ssl_context

    # ----- one request and its response ------------------------------------------------------------

    async def _exchange(self, conn: _Connection, key: tuple[str, str, int], payload: bytes, request: httpx.Request,
                        timeouts: dict) -> httpx.Response:
        fresh = True  # nothing of a response arrived yet: a dead reused connection may be replaced
        try:
            try:
                await conn.send(payload, timeouts.get("write"))
            except TimeoutError:
                raise httpx.WriteTimeout("the server does not take the request", request=request) from None
            while True:  # skipping interim 1xx answers
                head = await _read_head(conn, timeouts.get("read"), request)
                fresh = False
                if not 100 <= head.status < 200:
                    break
        except _Gone as exc:
            self._forget(conn)
            if fresh and conn.buffer == b"":
                raise _StaleConnection() from None
            raise httpx.RemoteProtocolError(f"Server disconnected without sending a response ({exc}).",
                                            request=request) from None
        except BaseException:
            self._forget(conn)  # timeouts, cancellation, garbage: the connection's state is unknown
            raise
        if request.method == "HEAD" or head.status in (204, 304):
            head.length, head.chunked = 0, False
        reusable = head.keep_alive and (head.length is not None or head.chunked)
        body = _Body(self, conn, key, request, timeouts.get("read"), head.length, head.chunked, reusable)
        return httpx.Response(head.status, headers=head.headers, stream=body,
                              extensions={"http_version": b"HTTP/1.1", "reason_phrase": head.reason, PUMP: body.pump})


def _ignore(data: bytes) -> bool:
    return False


class _StaleConnection(Exception):
    """A reused idle connection was closed by the server before it answered."""


class _Body(httpx.AsyncByteStream):
    """The response body as it arrives: every chunk already in the buffer at once, one read per wake-up."""

    def __init__(self, owner: LeanTransport, conn: _Connection, key: tuple[str, str, int], request: httpx.Request,
                 read_timeout: float | None, length: int | None, chunked: bool, reusable: bool) -> None:
        self._owner, self._conn, self._key, self._request = owner, conn, key, request
        self._timeout = read_timeout
        self._left = length  # Content-Length bytes still to come; None: chunked or until the server closes
        self._chunked = chunked
        self._chunk_left = 0  # bytes of the current chunk still to come (+2 for its CRLF once started)
        self._reusable = reusable
        self._done = length == 0
        self._released = False
        self._consume: Callable[[bytes], bool] = lambda data: False
        self._stopped = False  # the pump's consumer said it has what it waited for

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        try:
            while not self._done:
                data = self._take()
                if data:
                    yield data
                if self._done:
                    break
                tail = await self._wait(conn, self._timeout)
                if tail:
                    yield tail
        except BaseException:
            if not self._done:
                self._reusable = False  # stopped mid-body: the rest would still come on this connection
            raise

    async def pump(self, consume: Callable[[bytes], bool]) -> bool:
        """Feeds the body to `consume` piece by piece as it arrives, called straight from the socket's callback:
        no task wakes up and no generator resumes per read, which is most of the cost of a streamed chunk. Returns
        True once `consume` returned True (it has what it waited for), False when the body ended. What `consume`
        raises is raised here."""
        conn = self._conn
        try:
            data = self._take()
            self._stopped = bool(data) and bool(consume(data))
            self._consume = consume
            while not self._done and not self._stopped:
                tail = await self._pumped(conn, self._timeout)
                if tail and consume(tail):
                    self._stopped = True
            if self._stopped and not self._done and self._reusable:
                await self._finish(conn)
            return self._stopped
        except BaseException:
            if not self._done:
                self._reusable = False
            raise

    async def _pumped(self, conn: _Connection, timeout: float | None) -> bytes:
        conn.sink = self._on_data
        try:
            return await self._wait(conn, timeout)
        finally:
            conn.sink = None

    async def _finish(self, conn: _Connection) -> None:
        """The consumer has what it wanted (a stream's [DONE]) before the body's last bytes came. A working server
        sends them at once: wait for them a moment, so that the request ends when its response does (a server slot
        is free again) and the connection can serve the next one instead of being closed."""
        self._consume = _ignore
        grace = BODY_END_GRACE_S if self._timeout is None else min(self._timeout, BODY_END_GRACE_S)
        try:
            while not self._done:
                await self._pumped(conn, grace)
        except httpx.TransportError:  # silence, a hang-up or bytes that are not the body's end: not reusable
            self._reusable = False

    def _on_data(self) -> None:
        """A read arrived while pumping: hand it over; wake the pump when the body or the consumer is done."""
        conn = self._conn
        try:
            data = self._take()
            if data and self._consume(data):
                self._stopped = True
        except BaseException as exc:  # noqa: BLE001 - raised in the pump's task, not in the protocol callback
            conn.sink = None
            conn.resolve(exc)
            return
        if self._stopped or self._done:
            conn.sink = None
            conn.resolve(None)

    async def _wait(self, conn: _Connection, timeout: float | None) -> bytes:
        """Until more of the body arrives; at EOF of a read-to-close body, marks it done and returns the tail."""
        try:
            await conn.wait(timeout)
        except _Gone as exc:
            if self._left is None and not self._chunked:
                self._done, self._reusable = True, False  # read-to-close body: EOF is its end
                tail = bytes(conn.buffer)
                conn.buffer.clear()
                return tail
            raise httpx.RemoteProtocolError(
                f"peer closed connection without sending complete message body ({exc})",
                request=self._request) from None
        except TimeoutError:
            raise httpx.ReadTimeout("the server sent nothing within the read timeout", request=self._request) from None
        return b""

    def _take(self) -> bytes:
        buffer = self._conn.buffer
        if self._chunked:
            return self._take_chunks(buffer)
        if self._left is None:
            data = bytes(buffer)
        else:
            data = bytes(buffer[: self._left])
            self._left -= len(data)
            self._done = self._left == 0
        del buffer[: len(data)]
        return data

    def _take_chunks(self, buffer: bytearray) -> bytes:
        if not self._chunk_left:  # the usual read of a stream: exactly one whole chunk (one event)
            end = buffer.find(b"\r\n", 0, 10)
            if end > 0:
                try:
                    size = int(buffer[:end], 16)
                except ValueError:
                    size = 0  # an extension (";..."), or garbage: the careful path below reads or reports it
                stop = end + 2 + size
                if size > 0 and len(buffer) == stop + 2 and buffer.endswith(b"\r\n"):
                    data = bytes(buffer[end + 2 : stop])
                    buffer.clear()
                    return data
        out: list[bytes] = []
        pos = 0
        while True:
            if self._chunk_left:
                take = min(self._chunk_left - 2, len(buffer) - pos)
                if take > 0:
                    out.append(bytes(buffer[pos : pos + take]))
                    pos += take
                    self._chunk_left -= take
                if self._chunk_left > 2 or len(buffer) - pos < 2:
                    break
                if buffer[pos : pos + 2] != b"\r\n":
                    raise httpx.RemoteProtocolError("a malformed chunked body", request=self._request)
                pos += 2
                self._chunk_left = 0
            end = buffer.find(b"\r\n", pos)
            if end < 0:
                if len(buffer) - pos > 1024:
                    raise httpx.RemoteProtocolError("a malformed chunk size line", request=self._request)
                break
            try:
                size = int(bytes(buffer[pos:end]).split(b";", 1)[0], 16)
            except ValueError:
                raise httpx.RemoteProtocolError("a malformed chunk size line", request=self._request) from None
            if size < 0:
                raise httpx.RemoteProtocolError("a malformed chunk size line", request=self._request)
            if size == 0:
                trailer_end = buffer.find(b"\r\n\r\n", end) if buffer[end + 2 : end + 4] != b"\r\n" else end
                if trailer_end < 0:
                    break  # the trailers (rarely any) are not all here yet
                pos = trailer_end + 4
                self._done = True
                break
            pos = end + 2
            self._chunk_left = size + 2
        del buffer[:pos]
        return b"".join(out)

    async def aclose(self) -> None:
        if self._released:
            return
        self._released = True
        if not self._done and self._reusable:
            try:
                self._take()  # the body's end may be here already (a reader may stop at its last event)
            except httpx.RemoteProtocolError:
                self._reusable = False
        if self._done and self._reusable and not self._conn.buffer:
            self._owner._release(self._key, self._conn)
        else:  # left early (a stop, an error): closing the connection tells the server to stop generating
            self._owner._forget(self._conn)


@dataclass(slots=True)
class _Head:
    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    length: int | None  # Content-Length; None when absent or chunked
    chunked: bool
    keep_alive: bool  # HTTP/1.1 without "Connection: close"


async def _read_head(conn: _Connection, timeout: float | None, request: httpx.Request) -> _Head:
    buffer = conn.buffer
    while True:
        end = buffer.find(b"\r\n\r\n")
        if end >= 0:
            break
        if len(buffer) > MAX_HEAD:
            raise httpx.RemoteProtocolError("a response head larger than 64 KiB", request=request)
        try:
            await conn.wait(timeout)
        except TimeoutError:
            raise httpx.ReadTimeout("the server sent nothing within the read timeout", request=request) from None
    head = bytes(buffer[:end])
    del buffer[: end + 4]
    status_line, *lines = head.split(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise httpx.RemoteProtocolError(f"not an HTTP/1.x response: {status_line[:60]!r}", request=request)
    result = _Head(int(parts[1]), parts[2] if len(parts) > 2 else b"", [], None, False,
                   keep_alive=parts[0] == b"HTTP/1.1")  # HTTP/1.0: the connection ends with the body
    for line in lines:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise httpx.RemoteProtocolError(f"a malformed header line: {line[:60]!r}", request=request)
        value = value.strip()
        result.headers.append((name, value))
        lowered = name.lower()
        if lowered == b"content-length":
            if not value.isdigit():
                raise httpx.RemoteProtocolError(f"a malformed Content-Length: {value[:20]!r}", request=request)
            result.length = int(value)
        elif lowered == b"transfer-encoding":
            result.chunked = value.lower().endswith(b"chunked")
        elif lowered == b"connection" and b"close" in value.lower():
            result.keep_alive = False
    if result.chunked:
        result.length = None
    return result


def _head(request: httpx.Request) -> bytes:
    lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), request.url.raw_path)]
    lines.extend(b"%s: %s" % (name, value) for name, value in request.headers.raw)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _body(content: bytes, request: httpx.Request) -> bytes:
    if "transfer-encoding" in request.headers:  # a streamed request body, read whole: sent as one chunk
        return (b"%x\r\n%s\r\n" % (len(content), content) if content else b"") + b"0\r\n\r\n"
    return content
