"""Benchmark: import a 100,000-row channel CSV into a fresh file store (target ≤ 5 s).

Prints the machine, then each figure beside a reference measured in the same run
(polars.read_csv of the same file) and the ratio, and PASS/FAIL against the target.
Run: make bench, or .venv/bin/python -m bench.bench_import [ROWS]
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import polars as pl

from bench.common import machine, median_seconds
from crm.importing.channels import import_channels_file, plan_channel_import
from crm.importing.read import read_table
from crm.store import Store

TARGET_SECONDS = 5.0
PLATFORMS = ("vk", "telegram", "instagram", "youtube", "tiktok", "ok", "dzen")
HOSTS = {"vk": "vk.com", "telegram": "t.me", "instagram": "instagram.com", "ok": "ok.ru"}
NICHES = ("Авто", "Красота", "Еда", "Путешествия", "Финансы", "Юмор", "Спорт", "Дети")
CITIES = ("Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Алматы", "Минск")


def write_sample(path: Path, rows: int, seed: int = 7) -> None:
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
                    f"Канал {i}",
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


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = folder / "channels.csv"
        write_sample(csv_path, rows)
        size_mb = csv_path.stat().st_size / 1e6
        print(f"file: {rows:,} rows, {size_mb:.1f} MB")

        reference = median_seconds(
            lambda: pl.read_csv(csv_path, separator=";", infer_schema=False), 3
        )
        counter = iter(range(100))

        def one_import() -> None:
            store = Store(str(folder / f"crm{next(counter)}.duckdb"))
            try:
                result = import_channels_file(store, csv_path)
                assert result.new == rows and result.rejected == 0, result.summary()
            finally:
                store.close()

        def one_preview() -> None:
            store = Store(str(folder / f"preview{next(counter)}.duckdb"))
            try:
                table = read_table(csv_path.read_bytes(), csv_path.name)
                plan = plan_channel_import(store.cursor(), table)
                assert plan.counts()["new"] == rows
            finally:
                store.close()

        imported = median_seconds(one_import, 3)
        previewed = median_seconds(one_preview, 3)
        print(f"reference polars.read_csv:         {reference:7.3f} s")
        for label, seconds in (
            ("preview (read+plan)", previewed),
            ("import into fresh store", imported),
        ):
            verdict = "PASS" if seconds <= TARGET_SECONDS else "FAIL"
            print(
                f"{label + ':':35}{seconds:7.3f} s  = {seconds / reference:6.1f} × reference; "
                f"target ≤ {TARGET_SECONDS:.0f} s: {verdict}"
            )
        return 0 if imported <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
