"""Benchmark: import a 100,000-row channel CSV into a fresh store, then re-import it with
changed titles (the update path).

Targets: the import takes ≤ 12 × ``polars.read_csv`` of the same file (the reference, measured
in the same run), and the update ≤ 2 × the import. Each figure is the median of a few runs,
each run in a fresh subprocess that also reports its peak memory (ru_maxrss). Prints the
machine, the reference, every figure with its ratio, and PASS/FAIL; exits 1 when a target is
missed.

Run: make bench, or .venv/bin/python -m bench.bench_import [ROWS] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import machine

IMPORT_TARGET = 12.0  # × polars.read_csv of the same file
UPDATE_TARGET = 2.0  # × the import into a fresh store
PLATFORMS = ("vk", "telegram", "instagram", "youtube", "tiktok", "ok", "dzen")
HOSTS = {"vk": "vk.com", "telegram": "t.me", "instagram": "instagram.com", "ok": "ok.ru"}
NICHES = ("Авто", "Красота", "Еда", "Путешествия", "Финансы", "Юмор", "Спорт", "Дети")
CITIES = ("Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Алматы", "Минск")


def write_sample(path: Path, rows: int, seed: int = 7, title: str = "Канал") -> None:
    """A realistic export: Russian headers, links or handles, abbreviated numbers, decimal commas."""
    rnd = random.Random(seed)
    lines = [
        "Площадка;Ссылка;Ник;Название;Тип;Владелец;Тематика;Город;Страна;Email;"
        "Подписчики;Средний охват;Просмотры;Лайки;ER;Цена;Валюта;Дата"
    ]
    for i in range(rows):
        platform_ = PLATFORMS[i % len(PLATFORMS)]
        handle = f"channel_{i}"
        host = HOSTS.get(platform_)
        link = f"https://{host}/{handle}" if host and i % 3 == 0 else ""
        nick = "" if link else "@" + handle
        followers = rnd.randint(1_000, 5_000_000)
        shown = (
            f"{followers / 1e6:.1f}".replace(".", ",") + " млн"
            if followers > 1_000_000 and i % 2
            else f"{followers:,}".replace(",", " ")
        )
        reach = followers // rnd.randint(3, 20)
        er = f"{rnd.uniform(0.5, 9):.1f}".replace(".", ",") + "%"
        lines.append(
            ";".join(
                [
                    platform_,
                    link,
                    nick,
                    f"{title} {i}",
                    "паблик" if i % 4 == 0 else "блогер",
                    f"Админ {i % 500}",
                    f"{NICHES[i % 8]}, {NICHES[(i * 7) % 8]}",
                    CITIES[i % len(CITIES)],
                    "Россия",
                    f"ads{i}@example.ru" if i % 5 == 0 else "",
                    shown,
                    str(reach),
                    f"{reach * 1.2:.1f}".replace(".", ","),
                    str(reach // 30),
                    er,
                    f"{rnd.randint(5, 500) * 100}",
                    "RUB",
                    "2024-03-01",
                ]
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- one measured run (subprocess)


def _run_case(case: str, csv_path: Path, folder: Path, rows: int) -> dict[str, float]:
    """Time one case in this process, warm (after one untimed run, as a long-running app
    is): seconds and the process's peak memory."""
    import polars as pl

    from crm.importing.channels import import_channels_file, plan_channel_import
    from crm.importing.read import read_table
    from crm.store import Store

    def fresh(name: str) -> str:
        db = folder / f"{case}-{name}-{os.getpid()}.duckdb"
        if case == "update":
            shutil.copy(folder / "base.duckdb", db)
        return str(db)

    def once(name: str) -> None:
        if case == "reference":
            pl.read_csv(csv_path, separator=";", infer_schema=False)
            return
        store = Store(fresh(name))
        try:
            if case == "preview":
                table = read_table(csv_path.read_bytes(), csv_path.name)
                counts = plan_channel_import(store.cursor(), table).counts()
                assert counts["new"] == rows, counts
                return
            result = import_channels_file(store, csv_path)
            expected = (rows, 0, 0) if case in ("insert", "base") else (0, rows, 0)
            assert (result.new, result.updated, result.rejected) == expected, result.summary()
        finally:
            store.close()

    if case == "base":
        once("base")
        (folder / f"base-base-{os.getpid()}.duckdb").rename(folder / "base.duckdb")
        return {}
    once("warm")
    start = time.perf_counter()
    once("timed")
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_mb": peak_kb / 1024}


def _measure(case: str, csv_path: Path, folder: Path, rows: int) -> dict[str, float]:
    """One run of a case in a fresh Python process (so its peak memory is its own)."""
    run = subprocess.run(
        [sys.executable, "-m", "bench.bench_import", "--case", case, str(csv_path), str(folder),
         str(rows)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(f"{case} failed:\n{run.stderr}")
    figures: dict[str, float] = json.loads(run.stdout.strip().splitlines()[-1])
    return figures


def _median(repeat: int, run: Callable[[], dict[str, float]]) -> dict[str, float]:
    """The median time of ``repeat`` runs and the largest peak memory among them."""
    results = [run() for _ in range(repeat)]
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "peak_mb": max(r["peak_mb"] for r in results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    # one measured run, in a subprocess of the main run: CASE CSV DB ROWS
    parser.add_argument("--case", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        case, csv_path, db, count = args.case
        print(json.dumps(_run_case(case, Path(csv_path), Path(db), int(count))))
        return 0

    rows = args.rows
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first, changed = folder / "channels.csv", folder / "channels_renamed.csv"
        write_sample(first, rows)
        write_sample(changed, rows, title="Канал (новое название)")
        print(f"file: {rows:,} rows, {first.stat().st_size / 1e6:.1f} MB")
        _measure("base", first, folder, rows)  # the store every update starts from

        def run(case: str, path: Path) -> dict[str, float]:
            return _median(args.repeat, lambda: _measure(case, path, folder, rows))

        reference = run("reference", first)
        preview = run("preview", first)
        inserted = run("insert", first)
        update = run("update", changed)

    ref = reference["seconds"]
    print(
        f"reference polars.read_csv:          {ref:7.3f} s               "
        f"peak {reference['peak_mb']:6.0f} MB"
    )
    lines = (
        ("preview (read + plan)", preview, ref, "reference", None),
        ("import into a fresh store", inserted, ref, "reference", IMPORT_TARGET),
        ("re-import, titles changed", update, inserted["seconds"], "import", UPDATE_TARGET),
    )
    ok = True
    for label, figures, against, name, target in lines:
        ratio = figures["seconds"] / against
        verdict = ""
        if target is not None:
            passed = ratio <= target
            ok = ok and passed
            verdict = f"; target ≤ {target:g} × {name}: {'PASS' if passed else 'FAIL'}"
        print(
            f"{label + ':':36}{figures['seconds']:7.3f} s = {ratio:5.1f} × {name:9} "
            f"peak {figures['peak_mb']:6.0f} MB{verdict}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
