"""The LM Studio connection in the status bar, polled every few seconds by an owned asyncio task."""
from __future__ import annotations

import asyncio
import contextvars
import html
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:  # httpx and the server's models (pydantic) load with the first probe, after the window is shown
    from ..llm import LLMClient, ModelInfo, ServerStatus

log = logging.getLogger(__name__)
POLL_INTERVAL_S = 5.0
NO_SERVER_TEXT = "This session needs no server: every agent is a strategy"
_probing: contextvars.ContextVar[bool] = contextvars.ContextVar("probing", default=False)


class _QuietProbes(logging.Filter):
    """httpx logs every request at INFO: the status probes, every few seconds, would fill the log. The
    monitor logs them itself: DEBUG while the status stays the same, INFO when it changes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _probing.get()


_QUIET_PROBES = _QuietProbes()


SETTINGS_FIX = "change the URL in Settings"  # with no session open, the status shows the default server


def url_fix(session_open: bool, from_command_line: bool) -> str:
    """How to point the app at another server, for what is shown: Settings only affects new sessions."""
    if from_command_line:
        return "or start Negotiator with another --base-url"
    if session_open:
        return "or change this session's Server URL (Edit… → Model server), or start Negotiator with --base-url"
    return f"or {SETTINGS_FIX}"


def describe_status(status: ServerStatus, model: str = "", fix: str = f"or {SETTINGS_FIX}") -> tuple[str, bool]:
    """(text for the status bar, healthy?); `fix` says how to change the server URL in this context."""
    if not status.reachable:
        return (f"LM Studio: not reachable at {status.base_url} — start the server in LM Studio's "
                f"Developer tab, {fix}", False)
    if status.error:
        return f"LM Studio at {status.base_url} answered with a problem: {status.error}", False
    models = status.models
    if not models:
        return "LM Studio: reachable, but no model is available — download or load one in LM Studio", False
    if model:
        chosen = next((m for m in models if m.id == model), None)
        if chosen is None:
            return f"LM Studio: reachable, but model {model} is not on the server — pick another in the session", False
        if chosen.loaded is False:
            return f"LM Studio: reachable, model {model} not loaded yet (it loads on the first request)", True
        return f"LM Studio: reachable, model {model} loaded", True
    loaded = sum(1 for m in models if m.loaded)
    noun = "model" if len(models) == 1 else "models"
    return f"LM Studio: reachable, {len(models)} {noun} ({loaded} loaded)", True


class ConnectionMonitor(QObject):
    """Polls `client.status()` while the loop runs. Owns its task: `stop()` cancels and awaits it."""

    status_changed = Signal(object)  # ServerStatus

    def __init__(self, client_factory: Callable[[str, str | None], LLMClient], base_url: str,
                 api_key: str | None = None, interval_s: float = POLL_INTERVAL_S,
                 quiet_while: Callable[[], bool] = lambda: False) -> None:
        super().__init__()
        # While rooms stream, their own requests show the server works (and their errors reach the panes);
        # a probe then only costs: llama-cpp-python's server even aborts the reply being generated.
        self._quiet_while = quiet_while
        self._client_factory = client_factory
        self._server = (base_url, api_key)
        self._made: LLMClient | None = None  # made on first use: httpx and its TLS set-up load after the window shows
        self.interval_s = interval_s
        self.last: ServerStatus | None = None
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self._retired: list[LLMClient] = []
        self._known_models: list[ModelInfo] = []  # from the last probe that listed any

    @property
    def _client(self) -> LLMClient:
        if self._made is None:
            self._made = self._client_factory(*self._server)
        return self._made

    @property
    def base_url(self) -> str:
        return self._client.base_url

    def start(self) -> None:
        if self._task is None or self._task.done():
            logging.getLogger("httpx").addFilter(_QUIET_PROBES)  # a filter is added once, however often
            self._task = asyncio.ensure_future(self._poll())

    def refresh_now(self) -> None:
        self._wake.set()

    def set_server(self, base_url: str, api_key: str | None = None) -> None:
        """Follow the URL of the session being shown; the old client is closed by the poll task."""
        if self._made is None:  # no client made yet (nor httpx loaded): the first probe goes to this server
            self._server = (base_url, api_key)
            self.refresh_now()
            return
        if base_url.rstrip("/") == self._client.base_url:
            return
        old, self._made = self._client, self._client_factory(base_url, api_key)
        self._known_models = []  # another server: its models are not known until it is probed
        self._retired.append(old)
        self.refresh_now()

    def report_contact(self, reachable: bool, model: str = "") -> None:
        """What a running room's request showed: the server answered (reachable) or refused the connection.
        While rooms run the monitor does not probe, so this keeps the status true; it is only said again
        when it changes what the status bar shows."""
        from ..llm import ModelInfo, ServerStatus

        last = self.last
        if reachable:
            if last is not None and last.reachable and not last.error:
                return  # already shown as reachable, with the models the last probe listed
            # The room's reply comes from its model, so that one is there and loaded.
            models = [m.model_copy(update={"loaded": True}) if m.id == model else m for m in self._known_models]
            if model and all(m.id != model for m in models):
                models.append(ModelInfo(id=model, loaded=True))
            status = ServerStatus(reachable=True, base_url=self.base_url, models=models)
        else:
            if last is not None and not last.reachable:
                return
            status = ServerStatus(reachable=False, base_url=self.base_url,
                                  error="a room's request could not connect")
        self._log(status)
        self.last = status
        self.status_changed.emit(status)

    async def _poll(self) -> None:
        while True:
            for old in self._retired:
                await old.aclose()
            self._retired.clear()
            client = self._client
            status = None if self._quiet_while() and self.last is not None else await self._probe(client)
            if status is not None and client is self._client:  # a URL change while probing makes this answer stale
                if status.reachable and status.models:
                    self._known_models = list(status.models)
                self._log(status)
                self.last = status
                self.status_changed.emit(status)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval_s)

    @staticmethod
    async def _probe(client: LLMClient) -> ServerStatus:
        token = _probing.set(True)  # the task's context: only this probe's request lines are quieted
        try:
            return await client.status()
        finally:
            _probing.reset(token)

    def _log(self, status: ServerStatus) -> None:
        text = describe_status(status)[0]
        if self.last is None or describe_status(self.last)[0] != text:
            log.info("server status: %s", text)
        else:
            log.debug("server status unchanged: %s", text)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            except Exception:  # noqa: BLE001 - a failed probe must not stop the app from closing
                log.exception("the connection monitor had failed")
            self._task = None
        for client in [*self._retired, *([self._made] if self._made is not None else [])]:
            await client.aclose()
        self._retired = []


class ConnectionLabel(QLabel):
    """A permanent status-bar widget: a coloured dot and the sentence from `describe_status`, elided to at
    most MAX_WIDTH so that the status bar's temporary messages keep room (the tooltip has it all)."""

    MAX_WIDTH = 460

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("LM Studio: checking…", parent)
        self.setMaximumWidth(self.MAX_WIDTH)
        self.healthy: bool | None = None
        self.model = ""
        self.needs_server = True  # False for a session whose agents are all strategies
        self.fix = f"or {SETTINGS_FIX}"  # how to change the server URL: the window sets it from what is open
        self.last: ServerStatus | None = None

    def set_session(self, model: str, needs_server: bool, fix: str | None = None) -> None:
        """The open session's model, whether it needs a server, and how to change its server URL."""
        self.model, self.needs_server = model, needs_server
        if fix is not None:
            self.fix = fix
        if self.last is not None or not needs_server:
            self.show_status(self.last)

    def show_status(self, status: ServerStatus | None) -> None:
        self.last = status
        if not self.needs_server:
            text, healthy = NO_SERVER_TEXT, True
        elif status is None:
            return
        else:
            text, healthy = describe_status(status, self.model, self.fix)
        self.healthy = healthy
        dot = "#2e9d4f" if healthy else "#d0453b"
        shown = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, self.MAX_WIDTH - 20)
        self.setText(f'<span style="color:{dot}">●</span> {html.escape(shown)}')
        self.setToolTip(text)
        self.setAccessibleName(text)

    def plain_text(self) -> str:
        return self.toolTip() or self.text()
