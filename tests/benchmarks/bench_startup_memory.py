"""Benchmark 4 — start-up and memory: process start to main window shown, and resident memory (RSS).

Each figure comes from a fresh child process (this script with `--child`), offscreen, that runs the
app's real start path — `app.application()` and `app.run_window()` (store, settings, MainWindow, show,
reopen the last session) — on a database prepared in a temporary folder:
- cold: an empty database; the window shows the welcome page;
- 10 rooms × 500 messages: the last session (10 rooms, a stored run of 500 messages each, written by
  the real Recorder) is reopened at start, as the app does, so the time includes loading it.
The children run with compiled bytecode, as an installed app or a checkout that has run once does: when the
environment forbids writing it (PYTHONDONTWRITEBYTECODE), every import compiles its module again and start-up
takes about twice as long. So the children keep it in a cache folder of their own (PYTHONPYCACHEPREFIX, under
the temporary folder; the source tree is not touched), and one unmeasured run fills it first.
Each time also comes as the CPU seconds the process had used by then, which a loaded machine inflates far
less than wall time. Start → shown is measured from the child's exec (the parent's clock just before spawning)
until the window's own log line saying it was first painted (the settings and the database are read after it, on
the store's thread: "database open" is when the window's sidebar can list the sessions); `negotiator run` is timed
from its exec until a local server hears its first request. RSS is read from /proc/self/status once the window is shown and idle (1 s).
With `--bundle DIR` (a PyInstaller build of build.spec, e.g. `uv run pyinstaller build.spec` → dist/Negotiator),
the frozen app is started too and timed until its log says "main window shown".

Run: uv run python -m tests.benchmarks.bench_startup_memory [runs] [--bundle DIR]
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import ROOT, load_average, print_table

ROOMS, MESSAGES = 10, 500
BYTECODE = {"PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "negotiator-bench-pycache")}


def _child_environment(**extra: str) -> dict[str, str]:
    """The environment of a measured child: compiled bytecode kept in the benchmark's cache folder."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **BYTECODE, **extra}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(folder: Path, loaded: bool) -> Path:
    """A database (and, when `loaded`, a 10-room session with 500 stored messages per room)."""
    from negotiator_app.engine import EventBus
    from negotiator_app.storage import Recorder, Store
    from tests.benchmarks.bench_database import _events
    from tests.benchmarks.bench_ui_streaming import ten_room_config

    db = folder / "negotiator.sqlite3"
    store = Store.open(db)
    if loaded:
        config = ten_room_config(ROOMS)
        sid = store.create_session(config).id
        bus = EventBus()
        recorder = Recorder(store, sid, config)
        bus.subscribe(recorder.handle)
        for i in range(ROOMS):
            for event in _events(f"{i:02d}".ljust(32, "r"), MESSAGES):
                event.room = f"room-{i + 1}"
                bus.emit(event)
        assert recorder.flush_sync(120)
        recorder.close()
        (folder / "last_session").write_text(str(sid))
    store.close()
    return db


def child(folder: Path, spawned_at: float) -> None:
    """Runs in the child: the app's start path; prints one JSON line with the figures, then quits."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import asyncio
    import logging

    import qasync

    from negotiator_app.app import application, run_window
    from negotiator_app.ui.window_state import WindowState
    from negotiator_app.ui.main_window import MainWindow  # noqa: F401 - imported here to time the imports

    imported_at = time.time()

    app = application()
    window_state = WindowState(folder / "window.ini")
    last = folder / "last_session"
    if last.exists():
        window_state.set_last_session_id(int(last.read_text()))
    figures: dict = {"import_s": imported_at - spawned_at}

    class FirstPaint(logging.Handler):
        """The window's own first-paint line (as the frozen app's log is read). Not an application-wide event
        filter: one in Python makes PySide wrap every object an event goes to, which creates the Python enums of
        every Qt class at once (~0.1 s) - a cost of the measuring, not of the app."""

        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("main window shown") and "shown_s" not in figures:
                figures["shown_s"] = record.created - spawned_at
                figures["shown_cpu_s"] = sum(os.times()[:2])  # user + system, every thread: robust to load

    logger = logging.getLogger("negotiator")
    logger.setLevel(logging.INFO)
    logger.addHandler(FirstPaint())

    async def on_started(window) -> None:
        figures["store_open_s"] = time.time() - spawned_at  # run_window calls this once the database is open
        assert "shown_s" in figures  # run_window logs the first paint before it awaits the store
        host = window.host
        if last.exists():  # the last session reopens in a task, its runs read on the store's thread
            while host.runtime is None:
                await asyncio.sleep(0.01)
            await host.history_loaded
        figures["rooms"] = len(getattr(host.view, "panes", {})) if host.runtime else 0
        figures["messages_kept"] = sum(len(p.transcript.bubbles()) for p in getattr(host.view, "panes", {}).values())
        figures["ready_s"] = time.time() - spawned_at  # the session is open and its runs are loaded
        await asyncio.sleep(1.0)
        figures["rss_mb"] = _rss_mb()
        window.close()

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(run_window(app, db_path=folder / "negotiator.sqlite3", window_state=window_state,
                              on_started=on_started))
    print(json.dumps(figures), flush=True)


def measure(loaded: bool, runs: int) -> dict:
    samples = []
    with tempfile.TemporaryDirectory(prefix="negotiator-bench-start-") as tmp:
        folder = Path(tmp)
        prepare(folder, loaded)
        env = _child_environment(QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(folder / "data"),
                                 XDG_CONFIG_HOME=str(folder / "config"), XDG_STATE_HOME=str(folder / "state"),
                                 XDG_CACHE_HOME=str(folder / "cache"))
        for _ in range(runs + 1):  # the first run fills the bytecode cache and is not counted
            spawned_at = time.time()
            out = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_startup_memory", "--child", tmp,
                                  repr(spawned_at)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
            lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
            if out.returncode or not lines:
                raise RuntimeError(f"the child failed ({out.returncode}):\n{out.stderr[-3000:]}")
            samples.append(json.loads(lines[-1]))
    samples = samples[1:]
    median = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
    return median


def first_request(runs: int) -> float:
    """`negotiator run SCENARIO`: seconds from the process's start until the server hears its first request
    (a local HTTP server in this process notes the arrival; the child is stopped then)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from negotiator_app.paths import resource_path

    heard = threading.Event()
    arrivals: list[float] = []
    cpu: list[float] = []
    child: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            arrivals.append(time.time())
            if child and not cpu:
                cpu.append(_cpu_seconds(child[0]))
            heard.set()
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _any  # noqa: N815 - http.server's names

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    scenario = resource_path("scenarios", "office_supplies.json")
    samples: list[float] = []
    cpu_samples: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="negotiator-bench-run-") as tmp:
            env = _child_environment(XDG_DATA_HOME=f"{tmp}/data", XDG_CONFIG_HOME=f"{tmp}/config",
                                     XDG_STATE_HOME=f"{tmp}/state", XDG_CACHE_HOME=f"{tmp}/cache",
                                     PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
            for i in range(runs + 1):  # the first run fills the bytecode cache and is not counted
                heard.clear()
                arrivals.clear()
                cpu.clear()
                child.clear()
                spawned_at = time.time()
                proc = subprocess.Popen([sys.executable, "-m", "negotiator_app", "run", str(scenario), "--db",
                                         f"{tmp}/run{i}.sqlite3", "--base-url", url], cwd=ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                child.append(proc.pid)
                try:
                    if heard.wait(60) and i > 0:
                        samples.append(arrivals[0] - spawned_at)
                        cpu_samples.extend(cpu[:1])
                finally:
                    proc.kill()
                    proc.wait()
    finally:
        server.shutdown()
    return (statistics.median(samples) if samples else float("nan"),
            statistics.median(cpu_samples) if cpu_samples else float("nan"))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a (Linux) process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def frozen_window(bundle: Path, runs: int) -> tuple[float, float]:
    """The PyInstaller bundle: seconds from its exec until its log file says the main window was shown."""
    from datetime import datetime

    executable = next(p for p in (bundle / "Negotiator", bundle / "Negotiator.exe") if p.exists())
    samples: list[float] = []
    cpu_samples: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="negotiator-bench-frozen-") as tmp:
            from negotiator_app.paths import user_dir_environment

            env = {**os.environ, **user_dir_environment(Path(tmp)), "QT_QPA_PLATFORM": "offscreen"}
            spawned_at = time.time()
            proc = subprocess.Popen([str(executable)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                deadline = time.time() + 60
                while time.time() < deadline:
                    logs = list(Path(tmp).rglob("negotiator.log"))
                    lines = [line for f in logs for line in f.read_text(errors="replace").splitlines()
                             if "main window shown" in line]
                    if lines:
                        stamp = datetime.strptime(lines[0][:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
                        samples.append(stamp - spawned_at)
                        cpu_samples.append(float(lines[0].split("after ")[1].split(" s of CPU")[0]))
                        break
                    time.sleep(0.05)
            finally:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    return (statistics.median(samples) if samples else float("nan"),
            statistics.median(cpu_samples) if cpu_samples else float("nan"))


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child(Path(argv[1]), float(argv[2]))
        return {}
    bundle = None
    if "--bundle" in argv:
        at = argv.index("--bundle")
        bundle = Path(argv[at + 1])
        argv = argv[:at] + argv[at + 2:]
    runs = int(argv[0]) if argv else 3
    cold = measure(False, runs)
    loaded = measure(True, runs)
    first, first_cpu = first_request(runs)
    frozen, frozen_cpu = frozen_window(bundle, runs) if bundle is not None else (None, None)
    print_table(f"Start-up and memory (median of {runs} fresh processes, offscreen; {load_average()})", [
        ("`negotiator run`: start → first request to the server (<0.6)", f"{first:.2f} s ({first_cpu:.2f} s CPU)"),
        ("start → Python, Qt and the window's modules imported", f"{cold['import_s']:.2f} s"),
        ("start → main window shown (empty db; <1.0 from source)",
         f"{cold['shown_s']:.2f} s ({cold['shown_cpu_s']:.2f} s CPU)"),
        ("frozen bundle: start → main window shown (<0.7)",
         "not measured (--bundle DIR)" if frozen is None else f"{frozen:.2f} s ({frozen_cpu:.2f} s CPU)"),
        ("start → database open behind the shown window (SQLAlchemy loaded)", f"{cold['store_open_s']:.2f} s"),
        ("RSS idle, welcome page", f"{cold['rss_mb']:.0f} MB"),
        (f"start → window shown, last session reopened ({ROOMS} rooms × {MESSAGES} msgs)", f"{loaded['shown_s']:.2f} s"),
        ("start → that session loaded in its panes", f"{loaded['ready_s']:.2f} s"),
        (f"RSS idle with {ROOMS} rooms × {MESSAGES} messages loaded", f"{loaded['rss_mb']:.0f} MB"),
        ("messages held by the panes", f"{int(loaded['messages_kept']):,} in {int(loaded['rooms'])} rooms"),
    ])
    return {"cold": cold, "loaded": loaded, "first_request_s": first, "first_request_cpu_s": first_cpu,
            "frozen_shown_s": frozen, "frozen_shown_cpu_s": frozen_cpu}


if __name__ == "__main__":
    main()
