"""No traceback ever reaches the user: every CLI command is fed a generated corpus of bad files and paths
(as its input file, its database and its output) and must answer with a message and a documented exit code."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from negotiator_app.cli import build_parser, main
from negotiator_app.domain import save_scenario
from negotiator_app.storage import Store
from tests.storage.support import small_config

DOCUMENTED_EXIT_CODES = {0, 1, 2, 3, 4}  # ok, a run failed, bad input, server unreachable, storage
UNREACHABLE = "http://127.0.0.1:9/v1"


def bad_files(root: Path) -> dict[str, Path]:
    """Files and paths a person (or a broken disk) might hand the app, each made for real on disk."""
    root.mkdir(parents=True, exist_ok=True)
    good = json.dumps(small_config().model_dump(mode="json"))
    huge = json.loads(good)
    huge["buyer"]["items"][0]["quantity"] = 2**63
    huger = good.replace('"quantity": 10', '"quantity": 1' + "0" * 5000, 1)
    corpus: dict[str, bytes | None] = {
        "empty": b"", "garbage": bytes(range(256)) * 8, "truncated": good[: len(good) // 2].encode(),
        "deeply_nested": b"[" * 200_000, "deeply_nested_object": b'{"a":' * 100_000,
        "huge_number": json.dumps(huge).encode(), "five_thousand_digits": huger.encode(),
        "bom": ("\ufeff" + good).encode(), "non_utf8": b'{"name": "caf\xe9"}', "utf16": good.encode("utf-16"),
        "nul_bytes": b"\x00" * 64, "json_null": b"null", "json_list": b"[]", "json_string": b'"text"',
        "nan": good.replace("10", "NaN", 1).encode(), "sqlite_header_only": b"SQLite format 3\x00" + b"\x00" * 84,
    }
    paths = {}
    for name, content in corpus.items():
        paths[name] = root / f"{name}.json"
        paths[name].write_bytes(content)
    paths["missing"] = root / "missing.json"
    paths["directory"] = root / "a_folder"
    paths["directory"].mkdir(exist_ok=True)
    (root / "a_file").write_text("x")
    paths["under_a_file"] = root / "a_file" / "inside.json"
    paths["symlink_loop"] = root / "loop.json"
    if not paths["symlink_loop"].is_symlink():
        paths["symlink_loop"].symlink_to(paths["symlink_loop"])
    paths["dangling_symlink"] = root / "dangling.json"
    if not paths["dangling_symlink"].is_symlink():
        paths["dangling_symlink"].symlink_to(root / "nowhere")
    paths["fifo"] = root / "pipe.json"
    if not paths["fifo"].exists():
        os.mkfifo(paths["fifo"])
    paths["name_too_long"] = root / ("n" * 300 + ".json")
    paths["device"] = Path("/dev/null")
    return paths


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("good")
    scenario, db, log = root / "scenario.json", root / "n.sqlite3", root / "log.json"
    save_scenario(small_config(), scenario)
    with Store.open(db) as store:
        store.create_session(small_config())
    assert main(["export", "1", "--out", str(log), "--db", str(db)]) == 0
    return {"scenario": scenario, "db": db, "log": log, "out": root / "out.json"}


def commands(good: dict[str, Path], bad: str) -> dict[str, list[str]]:
    """Every subcommand, with the bad path in each place it takes a path."""
    db = ["--db", str(good["db"])]
    return {
        "run FILE": ["run", bad, "--base-url", UNREACHABLE, "--db", str(good["db"].with_name("run.sqlite3"))],
        "run --db": ["run", str(good["scenario"]), "--base-url", UNREACHABLE, "--db", bad],
        "resume --db": ["resume", "0" * 32, "--base-url", UNREACHABLE, "--db", bad],
        "sessions --db": ["sessions", "--db", bad],
        "runs --db": ["runs", "1", "--db", bad],
        "export --db": ["export", "1", "--out", str(good["out"]), "--db", bad],
        "export --out": ["export", "1", "--out", bad, *db],
        "import FILE": ["import", bad, "--db", str(good["db"].with_name("import.sqlite3"))],
        "import --db": ["import", str(good["log"]), "--db", bad],
        "debrief --db": ["debrief", "1", "--base-url", UNREACHABLE, "--db", bad],
    }


def test_the_corpus_covers_every_subcommand():
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    covered = {key.split()[0] for key in commands({"db": Path("d"), "scenario": Path("s"), "log": Path("l"),
                                                   "out": Path("o")}, "x")}
    assert set(sub.choices) - {"experiment", "experiments"} <= covered


BAD = ["missing", "directory", "under_a_file", "empty", "garbage", "truncated", "deeply_nested",
       "deeply_nested_object", "huge_number", "five_thousand_digits", "bom", "non_utf8", "utf16", "nul_bytes",
       "json_null", "json_list", "json_string", "nan", "sqlite_header_only", "symlink_loop", "dangling_symlink",
       "fifo", "name_too_long", "device"]
PLACES = list(commands({"db": Path("d"), "scenario": Path("s"), "log": Path("l"), "out": Path("o")}, "x"))


@pytest.mark.parametrize("place", PLACES)
def test_no_traceback_for_any_bad_file_or_path(place, good, tmp_path, capsys):
    corpus_root = tmp_path
    failures = []
    for name in BAD:
        if place == "export --out" and name == "device":
            continue  # /dev/null is a fine place to write a log to
        corpus = bad_files(corpus_root / name)  # fresh for each case: a writing command may have created a file
        argv = commands(good, str(corpus[name]))[place]
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code
        captured = capsys.readouterr()
        if "Traceback" in captured.err or code not in DOCUMENTED_EXIT_CODES or (code and "error" not in captured.err):
            failures.append(f"{name}: exit {code}: {captured.err[-300:]}")
    assert not failures, "\n".join(failures)
