"""Dependencies point inward (domain ← engine/llm/storage/export ← ui): checked on the source, import by import."""
import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "negotiator_app"
QT = ("PySide6", "qasync", "shiboken6")


def imports_of(package: str) -> dict[str, set[str]]:
    """Module file -> absolute names it imports (relative imports resolved against the package)."""
    found: dict[str, set[str]] = {}
    for path in (PACKAGE / package).rglob("*.py"):
        parts = ("negotiator_app", *path.relative_to(PACKAGE).with_suffix("").parts)
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = parts[: len(parts) - node.level]
                    names.add(".".join(base + ((node.module,) if node.module else ())))
                else:
                    names.add(node.module or "")
        found[str(path.relative_to(PACKAGE))] = names
    return found


@pytest.mark.parametrize("package", ["domain", "llm", "engine", "storage", "export", "runtime", "experiments"])
def test_inner_packages_never_import_qt(package):
    offenders = {f: sorted(n for n in names if n.startswith(QT)) for f, names in imports_of(package).items()}
    assert not {f: n for f, n in offenders.items() if n}


def test_domain_imports_nothing_of_ours_but_itself():
    # lazy_names (importing a package's names on first use) is a leaf that imports nothing of ours either.
    for module, names in imports_of("domain").items():
        ours = {n for n in names if n.startswith("negotiator_app")
                and not n.startswith("negotiator_app.domain") and n != "negotiator_app.lazy_names"}
        assert not ours, f"{module} imports {ours}"


@pytest.mark.parametrize(("package", "forbidden"), [
    ("llm", ("negotiator_app.engine", "negotiator_app.storage", "negotiator_app.ui", "sqlalchemy")),
    ("engine", ("negotiator_app.storage", "negotiator_app.ui", "negotiator_app.export", "sqlalchemy", "httpx")),
    ("storage", ("negotiator_app.ui", "negotiator_app.runtime", "httpx")),
    ("runtime", ("negotiator_app.ui", "negotiator_app.app", "negotiator_app.headless", "sqlalchemy", "httpx")),
    ("ui", ("httpx", "sqlalchemy", "sqlite3")),
])
def test_layers_keep_to_their_role(package, forbidden):
    for module, names in imports_of(package).items():
        bad = {n for n in names if n.startswith(forbidden)}
        assert not bad, f"{package}/{module} imports {bad}"


def test_storage_never_imports_the_room_runner():
    """Storage reads and writes records; it must not pull in the negotiation loop to build a snapshot."""
    for module, names in imports_of("storage").items():
        bad = {n for n in names if n.startswith(("negotiator_app.engine.room", "negotiator_app.engine.turns"))}
        assert not bad, f"storage/{module} imports {bad}"


@pytest.mark.parametrize("init", sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("__init__.py")))
def test_public_names_are_a_written_list_that_exists(init):
    """`__all__` is curated by hand (not computed from dir(), which also exports submodules and helpers)."""
    tree = ast.parse((PACKAGE / init).read_text(encoding="utf-8"))
    assigned = [n for n in tree.body if isinstance(n, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)]
    if not assigned:
        return  # a package with nothing to re-export
    value = assigned[0].value
    assert isinstance(value, ast.List) and all(isinstance(e, ast.Constant) for e in value.elts), \
        f"{init}: __all__ must be a literal list of names"
    names = [e.value for e in value.elts]
    assert len(names) == len(set(names)), f"{init}: a name is listed twice"
    module = importlib.import_module(".".join(("negotiator_app", *Path(init).parent.parts)).rstrip("."))
    assert [n for n in names if not hasattr(module, n)] == []


def test_the_engine_names_decisions_and_deciders_by_their_enums():
    """Decisions and who took them are `Decision` / `DecidedBy` members in the engine, never bare strings:
    a typo in a string would silently never match, a typo in an enum member fails at import."""
    from negotiator_app.domain import DecidedBy, Decision

    words = {d.value for d in Decision} | {b.value for b in DecidedBy}
    found = []
    for path in sorted((PACKAGE / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in words:
                found.append(f"engine/{path.name}:{node.lineno} {node.value!r}")
    assert found == []


def test_the_resumable_states_are_listed_once():
    """Which stored runs may be picked up again is `RESUMABLE_STATES`; a second hand-written copy would drift."""
    resumable = {"STOPPED", "INTERRUPTED", "ERROR"}
    copies = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                members = {e.attr for e in node.elts if isinstance(e, ast.Attribute)
                           and isinstance(e.value, ast.Name) and e.value.id == "RunState"}
                if resumable <= members:
                    copies.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert [c.split(":")[0] for c in copies] == ["domain/states.py"], copies


def test_nothing_cites_design_notes_the_repository_does_not_have():
    cited = "DESIGN" + ".md"  # spelled apart so that this test does not find itself
    root = PACKAGE.parent
    files = [*PACKAGE.rglob("*.py"), *(root / "tests").rglob("*.py"), root / "README.md"]
    assert [str(f.relative_to(root)) for f in files if cited in f.read_text(encoding="utf-8")] == []


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            yield node, func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def test_only_the_runtime_wires_a_session():
    """One session runtime builds the recorder and the engine; every entry point goes through it."""
    builders = {"Recorder", "SessionEngine"}
    offenders = sorted(
        f"{path.relative_to(PACKAGE)}:{node.lineno} {name}()"
        for path in PACKAGE.rglob("*.py") if path.relative_to(PACKAGE).parts[0] != "runtime"
        for node, name in _calls(path) if name in builders)
    assert not offenders, "build sessions with runtime.SessionRuntime, not by hand: " + ", ".join(offenders)


def test_the_ui_never_owns_room_tasks():
    """The UI asks the runtime to start rooms; it never starts a runner itself nor imports the task machinery."""
    internals = ("negotiator_app.engine.room", "negotiator_app.engine.session", "negotiator_app.engine.turns",
                 "negotiator_app.storage.recorder", "negotiator_app.storage.runs")
    for module, names in imports_of("ui").items():
        bad = {n for n in names if n.startswith(internals)}
        assert not bad, f"ui/{module} imports {bad}"
    for path in (PACKAGE / "ui").rglob("*.py"):
        for node, name in _calls(path):
            target = node.func.value if isinstance(node.func, ast.Attribute) else None
            owner = getattr(target, "id", None) or getattr(target, "attr", None)
            assert not (name == "start" and owner == "runner"), \
                f"ui/{path.relative_to(PACKAGE / 'ui')}:{node.lineno} starts a runner: ask the runtime (bridge.start_room)"


def _imported_names(path: Path, module: str) -> set[str]:
    """Names `path` imports from `module` (relative or absolute)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == module:
            names.update(alias.name for alias in node.names)
    return names


def test_the_smoke_test_uses_the_app_and_not_the_other_way_round():
    """smoke.py drives the app through its public entry points; app.py knows only the smoke test's entry."""
    assert _imported_names(PACKAGE / "app.py", "smoke") <= {"run_smoke_test"}
    private = {n for n in _imported_names(PACKAGE / "smoke.py", "app") if n.startswith("_")}
    assert not private, f"smoke.py uses app's private {private}"


def _store_receivers(tree: ast.AST) -> list[ast.Call]:
    """Calls made on a Store: `store.x(...)`, `self.store.x(...)`, `runtime.store.x(...)`."""
    def is_store(node: ast.AST) -> bool:
        return (isinstance(node, ast.Name) and node.id == "store") or (
            isinstance(node, ast.Attribute) and node.attr == "store")

    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and is_store(node.func.value)]


def test_the_ui_calls_the_store_only_through_its_thread():
    """No SQLite call is reachable from a Qt slot: ui/ awaits AsyncStore; the only direct Store calls are in
    module-level functions taking the store first, which the UI hands to AsyncStore.run and never calls."""
    offenders: list[str] = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        on_store_thread = {f.name for f in tree.body if isinstance(f, ast.FunctionDef)
                           and f.args.args and f.args.args[0].arg == "store"}
        allowed = {id(call) for f in tree.body if isinstance(f, ast.FunctionDef) and f.name in on_store_thread
                   for call in _store_receivers(f)}
        for call in _store_receivers(tree):
            if id(call) not in allowed:
                offenders.append(f"{path.name}:{call.lineno} calls the store on the GUI thread")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in on_store_thread:
                caller_is_store_fn = any(node in ast.walk(f) for f in tree.body
                                         if isinstance(f, ast.FunctionDef) and f.name in on_store_thread)
                if not caller_is_store_fn:
                    offenders.append(f"{path.name}:{node.lineno} calls {node.func.id}() instead of disk.run()")
    assert not offenders, offenders
