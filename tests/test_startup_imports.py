"""Start-up stays cheap: the command line parses its arguments before any heavy library is imported, so
`--help`, `--version` and argument errors answer at once and each command pays only for what it uses."""
import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("sqlalchemy", "PySide6", "qasync", "pydantic", "httpx", "keyring")


def test_the_command_line_parses_arguments_without_importing_heavy_libraries():
    code = ("import sys; from negotiator_app import cli; "
            "cli.build_parser().parse_args(['run', 'scenario.json', '--rounds', '3']); "
            f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})); "
            "print(heavy); sys.exit(bool(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"imported before any command ran: {result.stdout}{result.stderr}"


def test_negotiator_help_runs_without_importing_heavy_libraries():
    code = ("import runpy, sys\n"
            "sys.argv = ['negotiator', '--help']\n"
            "try:\n    runpy.run_module('negotiator_app', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
            "print('HEAVY', heavy)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "usage:" in result.stdout and "HEAVY []" in result.stdout, result.stdout + result.stderr


def test_the_light_experiment_arguments_offer_every_report_format():
    from negotiator_app.cli import build_parser
    from negotiator_app.experiments.exports import FORMATS

    args = build_parser().parse_args(["experiment", "report", "1", "--format", "csv"])
    assert args.format == "csv"
    for fmt in FORMATS:
        assert build_parser().parse_args(["experiment", "report", "1", "--format", fmt]).format == fmt


# --- `negotiator run`: the first request goes out before the database's libraries load -------------------------
# The child runs the real command line with an audit hook that notes which heavy libraries were loaded when the
# process first connected a socket (the probe to the server), then lets the run finish.
FIRST_CONNECT_CHILD = """
import json, runpy, sys
seen = {}
def note(event, args):
    if event == "socket.connect" and "heavy" not in seen:
        seen["heavy"] = sorted({m.split('.')[0] for m in sys.modules} & {"sqlalchemy", "PySide6", "qasync"})
sys.addaudithook(note)
sys.argv = ["negotiator"] + sys.argv[1:]
code = 0
try:
    runpy.run_module("negotiator_app", run_name="__main__")
except SystemExit as exc:
    code = exc.code
print("FIRST_CONNECT", json.dumps(seen.get("heavy")), flush=True)
sys.exit(code)
"""


def test_run_sends_its_first_request_before_sqlalchemy_is_imported_and_still_stores_everything(tmp_path):
    from negotiator_app.domain import RunState, save_scenario
    from negotiator_app.storage import Store
    from tests.cli.scripted import responder
    from tests.fakes.fake_lmstudio import FakeLMStudio
    from tests.storage.support import small_config

    scenario, db = tmp_path / "scenario.json", tmp_path / "n.sqlite3"
    save_scenario(small_config(), scenario)
    with FakeLMStudio() as fake:
        fake.responder = responder
        result = subprocess.run([sys.executable, "-c", FIRST_CONNECT_CHILD, "run", str(scenario), "--db", str(db),
                                 "--base-url", fake.base_url], capture_output=True, text=True, timeout=90)
        requests = [path for _, path, _, _ in fake.all_requests]
    assert result.returncode == 0, result.stdout + result.stderr
    first = [line for line in result.stdout.splitlines() if line.startswith("FIRST_CONNECT")]
    assert first == ["FIRST_CONNECT []"], result.stdout  # nothing of SQLAlchemy (or Qt) yet
    assert requests[0].endswith("/models") and any(p.endswith("/chat/completions") for p in requests)
    printed = [line for line in result.stdout.splitlines() if line.startswith("[room-") and "] " in line
               and ": " in line.split("] ", 1)[1] and not line.split("] ", 1)[1].startswith(("offer:", "decision:",
                                                                                               "violation", "finished:"))]
    with Store.open(db) as store:
        (session,) = store.list_sessions()
        runs = [store.load_run(r.run_id) for r in store.list_runs(session.id)]
    assert {r.state for r in runs} == {RunState.DECIDED, RunState.NO_DEAL}
    stored = sorted(f"[{r.room_key} · r{m.round}] {m.sender}: {m.text}" for r in runs for m in r.messages)
    assert stored == sorted(printed) and stored  # every message said (and printed) is in the database


# --- The window: shown before the database's libraries load, then the store opens behind it -----------------
# Not needed for the first paint of the welcome page: the database (SQLAlchemy), pydantic with the domain's and the
# settings' models, the setup form and the summary page.
NOT_BEFORE_PAINT = ["sqlalchemy", "pydantic", "negotiator_app.domain.config", "negotiator_app.storage.settings",
                    "negotiator_app.ui.setup", "negotiator_app.ui.summary_view"]
WINDOW_CHILD = """
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QEvent, QObject, QTimer
from negotiator_app import cli
from negotiator_app.app import application

app = application()
seen = {}
PRELOADED = ["negotiator_app.runtime.session", "negotiator_app.engine.room", "negotiator_app.ui.room.pane"]

def close_once_listed(window):
    if window.store is not None and window.sidebar.session_ids():
        seen["listed"] = window.sidebar.session_ids()
        seen["preloaded"] = [m for m in PRELOADED if m in sys.modules]
        seen["export_dir"] = window.settings.export_dir
        window.close()
    else:
        QTimer.singleShot(20, lambda: close_once_listed(window))

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "painted" not in seen and type(obj).__name__ == "MainWindow":
            seen["painted"] = {"loaded": [m for m in json.loads(os.environ["NOT_BEFORE_PAINT"]) if m in sys.modules],
                               "store_open": obj.store is not None, "sidebar": obj.sidebar.empty_label.text()}
            seen["quick_hook"] = getattr(sys.modules["shibokensupport.feature"]._mod_uses_pyside, "reads_bytes", False)
            QTimer.singleShot(0, lambda: close_once_listed(obj))
        return False

watcher = FirstPaint()
app.installEventFilter(watcher)
code = cli.main(sys.argv[1:])
print("SEEN", json.dumps(seen), flush=True)
sys.exit(code)
"""


def test_the_window_is_painted_before_sqlalchemy_loads_and_lists_the_sessions_once_the_store_opens(tmp_path):
    from negotiator_app.storage import Store
    from tests.storage.support import small_config
    from tests.ui.window_support import closed_port_url

    db = tmp_path / "n.sqlite3"
    with Store.open(db) as store:
        sid = store.create_session(small_config()).id
    seen = _run_window_child(tmp_path, ["--db", str(db), "--base-url", closed_port_url()])
    assert seen["painted"] == {"loaded": [], "store_open": False, "sidebar": "Loading sessions…"}
    assert seen["quick_hook"] is True  # PySide's import hook reads bytes, not inspect.getsource, for every import
    assert seen["listed"] == [sid]  # the listing asked for before the store was open was answered once it was
    # What opening a session needs was imported on the store's thread, not on the GUI thread at the first open.
    assert seen["preloaded"] == ["negotiator_app.runtime.session", "negotiator_app.engine.room",
                                 "negotiator_app.ui.room.pane"]


def test_the_settings_read_after_the_first_paint_name_the_database_the_window_opens(tmp_path):
    """The settings file is read on the store's thread once the window is shown; its database and export folder
    are the ones the window uses."""
    from negotiator_app.paths import user_dir_environment
    from negotiator_app.storage import Store
    from tests.storage.support import small_config
    from tests.ui.window_support import closed_port_url

    db, exports = tmp_path / "elsewhere" / "chosen.sqlite3", tmp_path / "my-exports"
    db.parent.mkdir()
    with Store.open(db) as store:
        sid = store.create_session(small_config()).id
    config = Path(user_dir_environment(tmp_path / "user")["NEGOTIATOR_USER_DIR"]) / "config"
    config.mkdir(parents=True)
    (config / "settings.json").write_text(json.dumps({"db_path": str(db), "export_dir": str(exports)}))
    seen = _run_window_child(tmp_path, ["--base-url", closed_port_url()])  # no --db: the settings name it
    assert seen["painted"]["loaded"] == []
    assert seen["listed"] == [sid] and seen["export_dir"] == str(exports)


def _run_window_child(tmp_path: Path, args: list[str]) -> dict:
    from negotiator_app.paths import user_dir_environment

    env = {**os.environ, **user_dir_environment(tmp_path / "user"), "NOT_BEFORE_PAINT": json.dumps(NOT_BEFORE_PAINT)}
    result = subprocess.run([sys.executable, "-c", WINDOW_CHILD, *args], capture_output=True, text=True, timeout=90,
                            env=env)  # a closed port for the server: never a real server on this machine
    assert result.returncode == 0, result.stdout + result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("SEEN ")]
    return json.loads(line.removeprefix("SEEN "))


def test_the_quickened_pyside_import_hook_gives_pyside_s_own_answer_for_every_module(qapp):
    """PySide asks of every imported module whether its source mentions PySide6; the quick check reads the file's
    bytes instead of tokenising it through inspect, and must answer exactly as PySide's own check does."""
    import qasync  # noqa: F401 - among the modules compared

    from negotiator_app.ui.pyside_import_hook import quicken_pyside_import_hook

    quicken_pyside_import_hook()
    quick = sys.modules["shibokensupport.feature"]._mod_uses_pyside
    assert quick.reads_bytes
    modules = [m for name, m in sorted(sys.modules.items()) if name.startswith(("negotiator_app", "json", "qasync",
                                                                                "asyncio", "pydantic", "email"))]
    answers = {m.__name__: quick(m) for m in modules}
    assert answers == {m.__name__: quick.original(m) for m in modules}
    assert answers["negotiator_app.app"] and answers["qasync"] and not answers["json"]


def test_the_app_icon_is_drawn_once(qapp):
    """The application, the window and the welcome page all show it: drawing it at seven sizes each time cost
    start-up time for nothing."""
    from negotiator_app.ui.icons import app_icon

    first = app_icon()
    assert first.cacheKey() == app_icon().cacheKey()
    assert sorted(s.width() for s in first.availableSizes()) == [16, 24, 32, 48, 64, 128, 256]
