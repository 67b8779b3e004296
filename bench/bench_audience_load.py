"""Benchmark: load a member list of 10 million VK-like user ids (and one of 1 million) from a
plain one-id-per-line file into a file-backed store, end to end (read, drop duplicates, encode
into the member dictionary, build the bitmaps, write), through ``import_audience_file``.

Target: the 10-million list loads in ≤ 10 s. The reference, measured in the same run on the same
file, is DuckDB's ``read_csv`` of the file into a table of a fresh database file. Each figure is
the median of a few runs, each run in a fresh subprocess that also reports its peak memory
(ru_maxrss), so every step's memory is its own: the reference, reading the file alone
(``read_member_file``), the load into a fresh store, and loading the same ids again for a second
channel (every id already in the dictionary). Prints the machine, every figure with its ratio to
the reference, the load's phases, and PASS/FAIL; exits 1 when the target is missed.

Run: .venv/bin/python -m bench.bench_audience_load [--sizes 10000000 1000000] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import machine

LOAD_TARGET = 10.0  # seconds for the 10-million list, end to end
TARGET_SIZE = 10_000_000
MAX_ID = 900_000_000  # VK user ids run up to about this
CASES = ("reference", "read", "load", "reload")
ROOT = Path(__file__).resolve().parents[1]


def write_ids(path: Path, count: int, seed: int = 9) -> None:
    """``count`` random VK-like user ids, one per line, no header (a few repeat, as in a real
    parse of several sources)."""
    import numpy as np
    import polars as pl

    ids = np.random.default_rng(seed).integers(1, MAX_ID, count, dtype=np.int64)
    pl.DataFrame({"id": ids}).write_csv(path, include_header=False)


# ---------------------------------------------------------------- one measured run (subprocess)


def _run_case(case: str, path: Path, folder: Path) -> dict[str, Any]:
    """Time one case in this process (libraries imported before the clock starts): seconds,
    the load's phases, and the process's peak memory."""
    import duckdb

    from crm.audience.lists import import_audience_file, read_member_file
    from crm.registry import add_channel
    from crm.store import Store

    db = folder / f"{case}-{time.monotonic_ns()}.duckdb"
    phases: dict[str, float] = {}
    figures: dict[str, Any] = {}
    if case == "reference":
        con = duckdb.connect(str(db))
        start = time.perf_counter()
        con.execute(
            "create table ids as select * from read_csv(?, header = false, "
            "columns = {'id': 'BIGINT'})",
            [str(path)],
        )
        seconds = time.perf_counter() - start
        con.close()
    elif case == "read":
        start = time.perf_counter()
        member_file = read_member_file(path, path.name)
        seconds = time.perf_counter() - start
        figures["size"] = member_file.size
        figures["duplicates"] = member_file.duplicates
    else:
        store = Store(str(db))
        add_channel(store, "vk", "club1")
        add_channel(store, "vk", "club2")
        if case == "reload":  # the dictionary holds every id already
            import_audience_file(store, path, path.name, "vk:club1")
        # each phase lasts from its first report to the next phase's
        since, current = [time.perf_counter()], [""]

        def progress(fraction: float, phrase: str) -> None:
            if phrase != current[0]:
                now = time.perf_counter()
                if current[0]:
                    phases[current[0]] = phases.get(current[0], 0.0) + now - since[0]
                since[0], current[0] = now, phrase

        start = since[0] = time.perf_counter()
        result = import_audience_file(
            store, path, path.name, "vk:club2" if case == "reload" else "vk:club1",
            progress=progress,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        store.close()
        figures["size"] = result.size
        figures["duplicates"] = result.duplicates
    figures["seconds"] = seconds
    figures["phases"] = phases
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def _measure(case: str, path: Path, folder: Path) -> dict[str, Any]:
    """One run of a case in a fresh Python process (so its peak memory is its own)."""
    run = subprocess.run(
        [sys.executable, "-m", "bench.bench_audience_load", "--case", case, str(path), str(folder)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if run.returncode != 0:
        raise SystemExit(f"{case} failed:\n{run.stderr}")
    figures: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return figures


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median time (and phases) of the runs and the largest peak memory among them."""
    phases: dict[str, float] = {}
    for name in dict.fromkeys(n for r in runs for n in r["phases"]):  # in the load's order
        phases[name] = statistics.median(r["phases"].get(name, 0.0) for r in runs)
    return {
        **runs[0],
        "seconds": statistics.median(float(r["seconds"]) for r in runs),
        "peak_mb": max(float(r["peak_mb"]) for r in runs),
        "phases": phases,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", nargs="+", type=int, default=[TARGET_SIZE, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    # one measured run, in a subprocess of the main run: CASE FILE FOLDER
    parser.add_argument("--case", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        case, path, folder = args.case
        print(json.dumps(_run_case(case, Path(path), Path(folder))))
        return 0

    print(f"machine: {machine()}")
    ok = True
    for count in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            path = folder / f"members_{count}.txt"
            write_ids(path, count)
            print(
                f"\nfile: {count:,} ids, one per line, {path.stat().st_size / 1e6:.0f} MB "
                f"(median of {args.repeat} runs, each in its own process)"
            )
            results = {
                case: _median([_measure(case, path, folder) for _ in range(args.repeat)])
                for case in CASES
            }
        ref = float(results["reference"]["seconds"])
        labels = {
            "reference": "reference DuckDB read_csv → table",
            "read": "read + check + drop duplicates",
            "load": "load into a fresh store (all)",
            "reload": "load the same ids for a 2nd channel",
        }
        for case in CASES:
            figures = results[case]
            seconds = float(figures["seconds"])
            verdict = ""
            if case == "load" and count >= TARGET_SIZE:
                passed = seconds <= LOAD_TARGET * count / TARGET_SIZE
                ok = ok and passed
                verdict = f"; target ≤ {LOAD_TARGET:g} s: {'PASS' if passed else 'FAIL'}"
            print(
                f"{labels[case] + ':':40}{seconds:7.2f} s = {seconds / ref:5.1f} × reference  "
                f"peak {float(figures['peak_mb']):6.0f} MB{verdict}"
            )
            if case in ("load", "reload"):
                phases = figures["phases"]
                shown = ", ".join(f"{k} {v:.2f} s" for k, v in phases.items())
                print(f"{'':40}phases: {shown}")
        loaded = results["load"]
        print(
            f"{'':40}{int(loaded['size']):,} members, "
            f"{int(loaded['duplicates']):,} duplicates dropped"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
