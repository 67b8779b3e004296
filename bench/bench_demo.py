"""The demo workspace (320 channels × 26 weekly snapshots) is generated in under 10 s.

Reference in the same run: creating and migrating an empty database file, the fixed cost
every generation pays before it writes a row.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import machine, median_seconds
from crm.demo import generate_demo
from crm.store import Store

TARGET = 10.0


def main() -> int:
    print(f"machine: {machine()}")
    folder = Path(tempfile.mkdtemp(prefix="crm-bench-demo-"))
    counter = iter(range(1000))

    def empty() -> None:
        Store(str(folder / f"empty{next(counter)}.duckdb")).close()

    def demo() -> None:
        store = Store(str(folder / f"demo{next(counter)}.duckdb"))
        generate_demo(store, seed=0)
        store.close()

    reference = median_seconds(empty, 5)
    seconds = median_seconds(demo, 5)
    print(f"reference, empty migrated database: {reference:6.3f} s")
    print(
        f"demo workspace (seed 0):            {seconds:6.3f} s = {seconds / reference:.1f}× reference"
    )
    print(f"target ≤ {TARGET:.0f} s: {'PASS' if seconds <= TARGET else 'FAIL'}")
    return 0 if seconds <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
