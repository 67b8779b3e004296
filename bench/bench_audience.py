"""Benchmark: overlap, unique reach and the shortlist optimizer over roaring-bitmap member sets.

Targets (issue 9), each a median over a few runs, each with the extra peak memory of its step:
- the overlap matrix of 50 channels with 10 million memberships in total: ≤ 0.3 s, and at least
  8× faster than the DuckDB SQL self-join on a membership table (channel_id, member) holding
  the same data, measured in the same run (both must give the same counts);
- the overlap matrix of 200 channels with 20 million memberships: ≤ 2 s, with the members in one
  shard and again resharded into eight (both must give the same figures);
- the unique reach of those 200 channels: ≤ 50 ms;
- the optimizer over 500 candidates with 50 million memberships: ≤ 2 s.

The data are dense member ids per platform (the product maps user ids to them through its
dictionary): a population of a few million where popularity falls off like a power law, and
channels in eight niches, each niche popular with its own part of the population, so pages
overlap unevenly (a lot within a niche, a little across). Channel sizes are skewed too.

Peak memory: the rise of the process's resident-set high-water mark during a step (the mark is
reset before each step through /proc/self/clear_refs; where that is refused, ru_maxrss).

Run: .venv/bin/python -m bench.bench_audience [--repeat N] [--seed S]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import numpy.typing as npt
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import machine, median_seconds  # noqa: E402
from crm.audience.optimize import Candidate, naive_pick, optimize  # noqa: E402
from crm.audience.sets import Members, overlap_counts, overlap_matrix, reach, union_size  # noqa: E402

T = TypeVar("T")
Ids = npt.NDArray[np.int64]

MATRIX_50_TARGET = 0.300
MATRIX_50_RATIO = 8.0
MATRIX_200_TARGET = 2.0
REACH_200_TARGET = 0.050
OPTIMIZE_500_TARGET = 2.0
NICHES = 8

SELF_JOIN_SQL = """
select a.channel_id as a, b.channel_id as b, count(*) as common
from membership a join membership b on a.member = b.member and a.channel_id < b.channel_id
group by all
"""
SIZES_SQL = "select channel_id, count(*) as size from membership group by all"


# --- memory ----------------------------------------------------------------------------------


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the resident-set high-water mark (Linux ≥ 4.0); False where it cannot be."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def measured(label: str, fn: Callable[[], T]) -> tuple[T, float, float]:
    """Run ``fn`` once: its result, its wall time and the extra peak memory (MiB) it took."""
    gc.collect()
    reset = _reset_peak()
    start_kib = _status_kib("VmRSS") or 0
    before_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak_kib = _status_kib("VmHWM") if reset else None
    if peak_kib is None:  # ru_maxrss only rises: a step below an earlier peak shows as 0
        peak_kib = start_kib + resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_max
    extra = max(0, peak_kib - start_kib) / 1024
    print(f"  {label}: {seconds:.2f} s, peak memory +{extra:,.0f} MiB")
    return result, seconds, extra


# --- data ------------------------------------------------------------------------------------


def channel_sizes(rng: np.random.Generator, channels: int, total: int) -> list[int]:
    """Skewed list sizes (a few big pages, a long tail) adding up to ``total``."""
    weights = 1.0 / np.arange(1, channels + 1) ** 0.7 * rng.lognormal(0, 0.3, channels)
    sizes = np.floor(weights / weights.sum() * total).astype(np.int64)
    sizes[: total - int(sizes.sum())] += 1
    rng.shuffle(sizes)
    return [int(s) for s in sizes]


def _distinct(values: Ids) -> Ids:
    """Sorted distinct values (a sort and a mask: several times faster than np.unique here)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def audience(rng: np.random.Generator, population: int, niche: int, size: int) -> Ids:
    """``size`` distinct members: power-law popular within the channel's niche, the rest of the
    list (what the popular core cannot supply without repeats) spread over everyone."""
    alpha = rng.uniform(1.6, 3.0)  # how strongly the channel leans to its niche's popular core
    got = _distinct(np.floor(population * rng.random(int(size * 1.3)) ** alpha).astype(np.int64))
    while got.size < size:
        fill = rng.integers(0, population, int((size - got.size) * 1.2) + 64)
        got = _distinct(np.concatenate((got, fill)))
    if got.size > size:
        got = got[np.sort(rng.choice(got.size, size, replace=False))]
    # each niche is popular with its own part of the population
    return np.sort((got + population * niche // NICHES) % population)


def lists_of(
    rng: np.random.Generator, channels: int, total: int, population: int
) -> list[tuple[int, Ids]]:
    """(niche, member ids) for each channel."""
    out = []
    for size in channel_sizes(rng, channels, total):
        niche = int(rng.integers(NICHES))
        out.append((niche, audience(rng, population, niche, size)))
    return out


def membership_table(con: duckdb.DuckDBPyConnection, lists: list[tuple[int, Ids]]) -> None:
    """The SQL reference's table: one row per (channel_id, member)."""
    frame = pl.DataFrame(
        {
            "channel_id": np.repeat(
                np.arange(len(lists), dtype=np.int32), [ids.size for _, ids in lists]
            ),
            "member": np.concatenate([ids for _, ids in lists]),
        }
    )
    con.register("frame", frame)
    con.execute("create or replace table membership as select * from frame")
    con.unregister("frame")


def sql_counts(con: duckdb.DuckDBPyConnection, n: int) -> list[list[int]]:
    """The n×n overlap counts from the SQL self-join (sizes on the diagonal)."""
    counts = [[0] * n for _ in range(n)]
    for a, b, common in con.execute(SELF_JOIN_SQL).fetchall():
        counts[a][b] = counts[b][a] = int(common)
    for channel, size in con.execute(SIZES_SQL).fetchall():
        counts[channel][channel] = int(size)
    return counts


# --- the steps -------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def matrix_50(rng: np.random.Generator, repeat: int) -> list[bool]:
    print("\n50 channels, 10 million memberships, population 4.2 million (one platform)")
    lists, _, _ = measured("generating the lists", lambda: lists_of(rng, 50, 10_000_000, 1 << 22))
    total = sum(ids.size for _, ids in lists)
    sets, _, _ = measured(
        "building the bitmaps", lambda: [Members.from_ids("vk", ids) for _, ids in lists]
    )
    con = duckdb.connect()
    measured("loading the SQL reference's membership table", lambda: membership_table(con, lists))
    lists.clear()  # the bitmaps are all that is needed from here
    print(
        f"  {total:,} memberships; {sum(len(b) for s in sets for b in s.serialized().values()) / 2**20:,.0f} MiB of bitmaps"
    )

    measured("overlap matrix (share), first run", lambda: overlap_matrix(sets, "share"))
    engine = median_seconds(lambda: overlap_matrix(sets, "share"), repeat)
    reference, _, _ = measured("SQL self-join, first run", lambda: sql_counts(con, len(sets)))
    sql = median_seconds(lambda: sql_counts(con, len(sets)), max(1, repeat // 2))
    mine = overlap_counts(sets)
    equal = mine == reference
    pairs = sum(1 for i in range(50) for j in range(i + 1, 50) if mine[i][j])
    con.close()
    print(f"  reference, DuckDB SQL self-join (membership table): {sql * 1000:8.1f} ms")
    print(
        f"  overlap matrix from bitmaps: {engine * 1000:8.1f} ms = {sql / engine:.1f}× faster "
        f"than the reference; counts equal to the SQL's: {'yes' if equal else 'NO'} "
        f"({pairs} of 1,225 pairs overlap)"
    )
    fast = engine <= MATRIX_50_TARGET
    ratio = sql / engine >= MATRIX_50_RATIO
    print(f"  target ≤ {MATRIX_50_TARGET * 1000:.0f} ms: {verdict(fast)}")
    print(f"  target ≥ {MATRIX_50_RATIO:.0f}× faster than the SQL self-join: {verdict(ratio)}")
    return [fast, ratio, equal]


def matrix_200(rng: np.random.Generator, repeat: int) -> list[bool]:
    print("\n200 channels, 20 million memberships, population 4.2 million (one platform)")
    lists, _, _ = measured("generating the lists", lambda: lists_of(rng, 200, 20_000_000, 1 << 22))
    total = sum(ids.size for _, ids in lists)
    one, _, _ = measured(
        "building the bitmaps (1 shard)", lambda: [Members.from_ids("vk", ids) for _, ids in lists]
    )
    lists.clear()  # the bitmaps are all that is needed from here
    # 2^22 ids in shards of 2^19: eight shards per list
    eight, _, _ = measured("resharding into 8 shards", lambda: [s.resharded(19) for s in one])
    print(
        f"  {total:,} memberships; shards per list: {max(len(s.shards) for s in one)} and "
        f"{max(len(s.shards) for s in eight)}"
    )
    results = []
    timings = []
    for label, sets in (("1 shard", one), ("8 shards", eight)):
        matrix, _, _ = measured(
            f"overlap matrix (share), {label}, first run", partial(overlap_matrix, sets, "share")
        )
        seconds = median_seconds(partial(overlap_matrix, sets, "share"), repeat)
        counts = overlap_counts(sets)
        unique = median_seconds(partial(union_size, sets), max(repeat, 21))
        full = median_seconds(partial(reach, sets), repeat)
        results.append((matrix, counts, union_size(sets), reach(sets)))
        timings.append((label, seconds, unique, full))
    same = results[0] == results[1]
    for label, seconds, unique, full in timings:
        print(
            f"  {label}: overlap matrix {seconds * 1000:8.1f} ms; unique reach {unique * 1000:6.1f} ms "
            f"(with duplication, frequency and every exclusive audience: {full * 1000:6.1f} ms)"
        )
    r = results[0][3]
    print(
        f"  unique reach {r.unique_reach:,} of a sum of audiences {r.sum_of_audiences:,} "
        f"(duplication {r.duplication:.1%}, expected frequency {r.expected_frequency:.2f})"
    )
    print(
        f"  1 shard and 8 shards give the same matrix, counts and reach: {'yes' if same else 'NO'}"
    )
    worst_matrix = max(t[1] for t in timings)
    worst_reach = max(t[2] for t in timings)
    fast = worst_matrix <= MATRIX_200_TARGET
    quick = worst_reach <= REACH_200_TARGET
    print(f"  target overlap matrix ≤ {MATRIX_200_TARGET:.0f} s (both partitions): {verdict(fast)}")
    print(
        f"  target unique reach ≤ {REACH_200_TARGET * 1000:.0f} ms (both partitions): {verdict(quick)}"
    )
    return [fast, quick, same]


def optimizer_500(rng: np.random.Generator, repeat: int) -> list[bool]:
    print(
        "\n500 candidates, 50 million memberships: 400 VK pages (population 8.4 million) and "
        "100 Telegram channels (population 4.2 million)"
    )

    def build() -> list[Candidate]:
        cands: list[Candidate] = []
        for platform, channels, total, population in (
            ("vk", 400, 40_000_000, 1 << 23),
            ("telegram", 100, 10_000_000, 1 << 22),
        ):
            for niche, ids in lists_of(rng, channels, total, population):
                members = Members.from_ids(platform, ids)
                # a price roughly proportional to the audience, ±40%, in whole rubles
                price = int(members.size * 0.35 * rng.lognormal(0, 0.35)) + 1000
                followers = int(members.size * rng.uniform(1.0, 3.0))
                cands.append(Candidate(len(cands) + 1, members, Decimal(price), followers))
                del niche
        return cands

    cands, _, _ = measured("generating the lists and building the bitmaps", build)
    total = sum(c.members.size for c in cands)
    budget = (sum((c.cost for c in cands), Decimal(0)) / 10).quantize(Decimal(1))
    print(f"  {total:,} memberships; budget {budget:,} (a tenth of buying every candidate)")
    pick, _, _ = measured("optimizer, first run", lambda: optimize(cands, budget))
    seconds = median_seconds(lambda: optimize(cands, budget), repeat)
    must = [cands[0].id, cands[1].id]
    seeded = median_seconds(lambda: optimize(cands, budget, must_include=must), repeat)
    naive = naive_pick(cands, budget)
    brute = union_size([c.members for c in cands if c.id in set(pick.ids)])
    honest = pick.cost <= budget and brute == pick.unique_reach
    print(
        f"  optimizer: {seconds * 1000:8.1f} ms ({len(pick.ids)} channels, cost {pick.cost:,}, "
        f"unique reach {pick.unique_reach:,}); with two must-include channels {seeded * 1000:.1f} ms"
    )
    print(f"  method: {pick.method}; guarantee: {pick.guarantee}")
    print(
        f"  naive pick by followers, same budget: {len(naive.ids)} channels, unique reach "
        f"{naive.unique_reach:,} (the optimizer reaches {pick.unique_reach / naive.unique_reach:.2f}×)"
    )
    print(f"  within budget and unique reach recomputed equal: {'yes' if honest else 'NO'}")
    fast = max(seconds, seeded) <= OPTIMIZE_500_TARGET
    print(f"  target ≤ {OPTIMIZE_500_TARGET:.0f} s: {verdict(fast)}")
    return [fast, honest]


def optimizer_12(rng: np.random.Generator, repeat: int) -> list[bool]:
    """No target: how long the partial enumeration takes at its largest default size."""
    print("\n12 candidates, 3 million memberships (partial enumeration; no target, for the UI)")
    cands = [
        Candidate(k + 1, Members.from_ids("vk", ids), Decimal(int(ids.size * 0.3) + 1000), None)
        for k, (_, ids) in enumerate(lists_of(rng, 12, 3_000_000, 1 << 22))
    ]
    everything = sum((c.cost for c in cands), Decimal(0))
    honest = True
    for share in (4, 2):
        budget = (everything / share).quantize(Decimal(1))
        pick = optimize(cands, budget)
        seconds = median_seconds(partial(optimize, cands, budget), max(1, repeat // 2))
        greedy = optimize(cands, budget, enumerate_up_to=0)
        honest = honest and pick.cost <= budget and pick.unique_reach >= greedy.unique_reach
        print(
            f"  budget 1/{share} of all: {seconds * 1000:6.0f} ms, {len(pick.ids)} channels, unique "
            f"reach {pick.unique_reach:,} (greedy alone: {greedy.unique_reach:,})"
        )
    print(f"  within budget and at least greedy's reach: {'yes' if honest else 'NO'}")
    return [honest]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"duckdb {duckdb.__version__} (threads as configured by default)")
    rng = np.random.default_rng(args.seed)
    checks = matrix_50(rng, args.repeat)
    checks += matrix_200(rng, args.repeat)
    checks += optimizer_500(rng, args.repeat)
    checks += optimizer_12(rng, args.repeat)
    print(f"\nall targets met and every result checked: {verdict(all(checks))}")
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
