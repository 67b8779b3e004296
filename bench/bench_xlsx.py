"""Benchmark: read a 20,000-row channels workbook (target ≤ 1 s) and export 8,320 snapshots.

Prints the machine, then each figure beside a reference measured in the same run:
- reading: crm's read_table against polars.read_excel (calamine) of the same file, each in
  its own process so that its peak memory (ru_maxrss) is its own; a process that only imports
  the libraries shows what the interpreter alone holds;
- export: crm's frame_bytes(.xlsx) of the demo workspace's snapshots against a plain
  polars.DataFrame.write_excel of the same frame.
Run: .venv/bin/python -m bench.bench_xlsx [ROWS]
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import xlsxwriter

from bench.bench_import import write_sample
from bench.common import machine, median_seconds
from crm.demo import generate_demo
from crm.exports import frame_bytes, table_frame
from crm.store import Store

ROOT = Path(__file__).resolve().parent.parent
READ_TARGET = 1.0
REPEAT = 5

# One read, measured in a fresh process: median seconds of REPEAT runs, and peak memory.
_CHILD = """
import json, resource, sys
sys.path.insert(0, sys.argv[4])
from bench.common import median_seconds
path, which, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(path, "rb").read()
if which == "crm":
    from crm.importing.read import read_table
    read = lambda: read_table(data, "channels.xlsx").rows
elif which == "polars":
    import polars as pl
    read = lambda: pl.read_excel(data, engine="calamine").height
else:
    import polars, fastexcel, crm.importing.read
    read = lambda: 0
rows = read()
seconds = median_seconds(read, repeat)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "rows": rows}))
"""


def write_workbook(path: Path, rows: int) -> None:
    """The bench_import sample as a workbook: numbers as numbers, everything else as text."""
    csv_path = path.with_suffix(".csv")
    write_sample(csv_path, rows)
    frame = pl.read_csv(csv_path, separator=";", infer_schema=False)
    integer = re.compile(r"-?\d{1,15}")
    with xlsxwriter.Workbook(path) as book:  # shared strings, as Excel writes them
        sheet = book.add_worksheet("Каналы")
        sheet.write_row(0, 0, frame.columns)
        for i, row in enumerate(frame.iter_rows(), start=1):
            for j, cell in enumerate(row):
                if cell is None:
                    continue
                if integer.fullmatch(cell):
                    sheet.write_number(i, j, int(cell))
                else:
                    sheet.write_string(i, j, cell)


def measure_read(path: Path, which: str) -> dict[str, float]:
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), which, str(REPEAT), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(run.stdout)
    return result


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "channels.xlsx"
        write_workbook(path, rows)
        print(f"workbook: {rows:,} rows × 18 columns, {path.stat().st_size / 1e6:.1f} MB")
        baseline = measure_read(path, "imports")
        reference = measure_read(path, "polars")
        ours = measure_read(path, "crm")
        assert ours["rows"] == rows, ours
        print(f"{'imports only (no read):':38}{'':22}peak {baseline['peak_mb']:6.0f} MB")
        print(
            f"{'reference polars.read_excel:':38}{reference['seconds']:7.3f} s{'':13}"
            f"peak {reference['peak_mb']:6.0f} MB"
        )
        verdict = "PASS" if ours["seconds"] <= READ_TARGET else "FAIL"
        print(
            f"{'crm read_table (checks + text):':38}{ours['seconds']:7.3f} s = "
            f"{ours['seconds'] / reference['seconds']:4.1f} × ref  peak {ours['peak_mb']:6.0f} MB"
            f"  target ≤ {READ_TARGET:.0f} s: {verdict}"
        )

        store = Store(str(folder / "demo.duckdb"))
        try:
            generate_demo(store, seed=0)
            snapshots = table_frame(store.cursor(), "snapshots")
        finally:
            store.close()
        plain = median_seconds(lambda: snapshots.write_excel(io.BytesIO()), 3)
        exported = median_seconds(lambda: frame_bytes(snapshots, ".xlsx", "snapshots"), 3)
        print(f"export: {snapshots.height:,} snapshots × {snapshots.width} columns")
        print(f"{'reference polars.write_excel:':38}{plain:7.3f} s")
        print(
            f"{'crm frame_bytes .xlsx (formats):':38}{exported:7.3f} s = "
            f"{exported / plain:4.1f} × ref"
        )
        return 0 if ours["seconds"] <= READ_TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
