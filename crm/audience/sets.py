"""Member sets as compressed bitmaps, and every overlap figure of METRICS.md computed from them.

A channel's members are dense member ids of its platform (``crm.audience.lists`` maps a
platform's user ids and usernames to them). Each set is partitioned by member-id range: shard
``id >> shard_bits`` holds a roaring bitmap of the ids' low bits, keyed by (platform, shard).
Every figure (intersection, union, difference, marginal gain) is a sum over shards, so the same
shards can be spread over processes or machines (docs/audience.md). Members of two platforms
never match: their ids are different spaces, so their cells in an overlap matrix are None.
"""

from __future__ import annotations

import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from pyroaring import BitMap, FrozenBitMap

from crm import metrics
from crm.errors import ValidationError

SHARD_BITS = 24
# a shard's bitmap holds 32-bit values: finer shards are fine, coarser ones would not fit
MAX_SHARD_BITS = 32

Key = tuple[str, int]
Metric = Literal["count", "share", "jaccard"]
METRICS: tuple[Metric, ...] = ("count", "share", "jaccard")
Ids = npt.NDArray[np.uint64]


def _bitmap(values: npt.NDArray[np.uint32]) -> FrozenBitMap:
    """A frozen bitmap of sorted 32-bit values (an array.array is pyroaring's fast path)."""
    buffer = array.array("I")
    buffer.frombytes(np.ascontiguousarray(values, dtype=np.uint32).tobytes())
    return FrozenBitMap(buffer)


@dataclass(frozen=True, eq=False)
class Members:
    """One set of members (a channel's list, or a union), partitioned by platform and id range."""

    shards: Mapping[Key, FrozenBitMap]
    size: int
    shard_bits: int = SHARD_BITS

    @classmethod
    def from_ids(
        cls,
        platform: str,
        ids: npt.ArrayLike | Iterable[int],
        shard_bits: int = SHARD_BITS,
    ) -> Members:
        """The set of dense member ids ``ids`` (duplicates are fine) of one platform."""
        _check_bits(shard_bits)
        values = np.asarray(ids if not isinstance(ids, (set, frozenset)) else list(ids))
        if values.size == 0:
            return cls({}, 0, shard_bits)
        if values.dtype.kind not in "iu":
            raise ValidationError("Member ids must be whole numbers.")
        if values.dtype.kind == "i" and int(values.min()) < 0:
            raise ValidationError("Member ids cannot be negative.")
        # sort and keep each value unlike its predecessor (np.unique is far slower on 10M ids)
        ordered = np.sort(values.astype(np.uint64, copy=False))
        unique = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
        mask = np.uint64((1 << shard_bits) - 1)
        keys = unique >> np.uint64(shard_bits)
        # sorted ids: each shard is one contiguous run
        cuts = np.flatnonzero(np.diff(keys)) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts, [unique.size]))
        shards = {
            (platform, int(keys[s])): _bitmap((unique[s:e] & mask).astype(np.uint32))
            for s, e in zip(starts, ends, strict=True)
        }
        return cls(shards, int(unique.size), shard_bits)

    @classmethod
    def from_shards(
        cls, platform: str, blobs: Mapping[int, bytes], shard_bits: int = SHARD_BITS
    ) -> Members:
        """The set stored as serialised shard bitmaps (``serialized()``)."""
        _check_bits(shard_bits)
        shards = {(platform, int(k)): FrozenBitMap.deserialize(b) for k, b in blobs.items()}
        shards = {k: b for k, b in shards.items() if b}
        return cls(shards, sum(len(b) for b in shards.values()), shard_bits)

    @property
    def platforms(self) -> frozenset[str]:
        return frozenset(platform for platform, _ in self.shards)

    def serialized(self) -> dict[int, bytes]:
        """Shard → serialised bitmap, for a single-platform set (what the store keeps)."""
        if len(self.platforms) > 1:
            raise ValueError("Only the members of one platform are stored together.")
        return {shard: bitmap.serialize() for (_, shard), bitmap in self.shards.items()}

    def ids(self, platform: str) -> Ids:
        """The dense ids of one platform's members, ascending."""
        parts = [
            np.frombuffer(bitmap.to_array(), dtype=np.uint32).astype(np.uint64)
            + np.uint64(shard << self.shard_bits)
            for (p, shard), bitmap in sorted(self.shards.items())
            if p == platform
        ]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)

    def resharded(self, shard_bits: int) -> Members:
        """The same members partitioned by another id range width."""
        if shard_bits == self.shard_bits:
            return self
        merged: dict[Key, FrozenBitMap] = {}
        for platform in sorted(self.platforms):
            part = Members.from_ids(platform, self.ids(platform), shard_bits)
            merged.update(part.shards)
        return Members(merged, self.size, shard_bits)

    def _pairs(self, other: Members) -> Iterable[tuple[FrozenBitMap, FrozenBitMap]]:
        _same_bits(self, other)
        small, large = (self, other) if len(self.shards) <= len(other.shards) else (other, self)
        for key, bitmap in small.shards.items():
            match = large.shards.get(key)
            if match is not None:
                yield bitmap, match

    def intersection_size(self, other: Members) -> int:
        """abs(self ∩ other)."""
        return sum(a.intersection_cardinality(b) for a, b in self._pairs(other))

    def difference_size(self, other: Members) -> int:
        """abs(self − other): what self adds to other."""
        return self.size - self.intersection_size(other)

    def union_size(self, other: Members) -> int:
        """abs(self ∪ other)."""
        return self.size + other.size - self.intersection_size(other)


EMPTY = Members({}, 0)


def _check_bits(shard_bits: int) -> None:
    if not 1 <= shard_bits <= MAX_SHARD_BITS:
        raise ValueError(f"shard_bits must be 1 to {MAX_SHARD_BITS}, not {shard_bits}.")


def _same_bits(*sets: Members) -> None:
    # an empty set fits any partition
    bits = {s.shard_bits for s in sets if s.shards}
    if len(bits) > 1:
        raise ValueError("Sets partitioned by different id ranges cannot be combined.")


def _bits(sets: Sequence[Members]) -> int:
    _same_bits(*sets)
    return next((s.shard_bits for s in sets if s.shards), SHARD_BITS)


def _by_key(sets: Sequence[Members]) -> dict[Key, list[FrozenBitMap]]:
    grouped: dict[Key, list[FrozenBitMap]] = {}
    for s in sets:
        for key, bitmap in s.shards.items():
            grouped.setdefault(key, []).append(bitmap)
    return grouped


def union(sets: Sequence[Members]) -> Members:
    """The union of the sets, shard by shard."""
    bits = _bits(sets)
    shards = {
        key: bitmaps[0] if len(bitmaps) == 1 else FrozenBitMap.union(*bitmaps)
        for key, bitmaps in _by_key(sets).items()
    }
    return Members(shards, sum(len(b) for b in shards.values()), bits)


def union_size(sets: Sequence[Members]) -> int:
    """abs(union of the sets): the unique reach of a selection."""
    _bits(sets)
    total = 0
    for bitmaps in _by_key(sets).values():
        if len(bitmaps) == 1:
            total += len(bitmaps[0])
        elif len(bitmaps) == 2:
            total += bitmaps[0].union_cardinality(bitmaps[1])
        else:
            total += len(BitMap.union(*bitmaps))
    return total


def comparable(a: Members, b: Members) -> bool:
    """Whether two sets can be matched: members of one platform (an empty set matches any)."""
    return not a.shards or not b.shards or a.platforms == b.platforms


def overlap_counts(sets: Sequence[Members]) -> list[list[int]]:
    """abs(A ∩ B) for every pair: a symmetric matrix whose diagonal holds the sizes."""
    _bits(sets)
    n = len(sets)
    counts = [[0] * n for _ in range(n)]
    for i in range(n):
        counts[i][i] = sets[i].size
        for j in range(i + 1, n):
            counts[i][j] = counts[j][i] = sets[i].intersection_size(sets[j])
    return counts


def overlap_matrix(sets: Sequence[Members], metric: Metric = "share") -> list[list[float | None]]:
    """The overlap of every ordered pair: ``count`` abs(row ∩ column); ``share`` the row's
    audience found in the column (directional); ``jaccard``. Pairs of two platforms: None."""
    if metric not in METRICS:
        raise ValidationError(f"Unknown overlap metric “{metric}”: use count, share or jaccard.")
    counts = overlap_counts(sets)
    n = len(sets)
    matrix: list[list[float | None]] = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if not comparable(sets[i], sets[j]):
                continue
            c = counts[i][j]
            if metric == "count":
                matrix[i][j] = c
            elif metric == "share":
                matrix[i][j] = metrics.share(c, sets[i].size)
            else:
                matrix[i][j] = metrics.jaccard(c, sets[i].size + sets[j].size - c)
    return matrix


@dataclass(frozen=True)
class Reach:
    """What a selection reaches (METRICS.md, "Audience overlap")."""

    unique_reach: int
    sum_of_audiences: int
    duplication: float | None
    expected_frequency: float | None
    exclusive: list[int]


def exclusive_sizes(sets: Sequence[Members]) -> list[int]:
    """abs(X minus the union of the others) for each set X, in one pass: per shard, the members
    seen once so far and those seen more than once."""
    _bits(sets)
    once: dict[Key, BitMap] = {}
    more: dict[Key, BitMap] = {}
    for s in sets:
        for key, bitmap in s.shards.items():
            seen_once = once.setdefault(key, BitMap())
            seen_more = more.setdefault(key, BitMap())
            again = seen_once & bitmap
            seen_more |= again
            seen_once ^= bitmap
            seen_once -= seen_more
    return [
        sum(
            bitmap.intersection_cardinality(once[key])
            for key, bitmap in s.shards.items()
            if key in once
        )
        for s in sets
    ]


def reach(sets: Sequence[Members]) -> Reach:
    """Unique reach, sum of audiences, duplication, expected frequency and exclusive audiences."""
    unique = union_size(sets)
    total = sum(s.size for s in sets)
    return Reach(
        unique_reach=unique,
        sum_of_audiences=total,
        duplication=metrics.duplication(unique, total),
        expected_frequency=metrics.expected_frequency(total, unique),
        exclusive=exclusive_sizes(sets),
    )


def added_reach(candidate: Members, covered: Members) -> int:
    """abs(candidate minus covered): the members a candidate adds to a selection's union."""
    return candidate.difference_size(covered)


@dataclass(frozen=True)
class Neighbour:
    """How one channel's audience meets another's."""

    key: int
    overlap: int
    share: float | None  # of the target's audience, found in this one
    share_back: float | None  # of this one's audience, found in the target
    jaccard: float | None


def neighbours(
    target: Members, others: Mapping[int, Members], limit: int | None = None
) -> list[Neighbour]:
    """The sets that share members with ``target`` (other platforms cannot), most shared
    members first (ties: by key)."""
    found = []
    for key, other in others.items():
        if other is target or not comparable(target, other):
            continue
        count = target.intersection_size(other)
        if count:
            found.append(
                Neighbour(
                    key,
                    count,
                    metrics.share(count, target.size),
                    metrics.share(count, other.size),
                    metrics.jaccard(count, target.size + other.size - count),
                )
            )
    found.sort(key=lambda n: (-n.overlap, n.key))
    return found if limit is None else found[:limit]


def marginal_gains(sets: Sequence[Members]) -> list[int]:
    """What each set adds to the union of those before it, in order (their sum is the unique
    reach): the reach each channel of a pick adds as it is bought."""
    _bits(sets)
    gains: list[int] = []
    covered = EMPTY
    for s in sets:
        gains.append(added_reach(s, covered))
        covered = union([covered, s])
    return gains


def regions(sets: Sequence[Members], limit: int | None = None) -> list[tuple[frozenset[int], int]]:
    """The members in exactly these sets (indexes into ``sets``) and no other, for every
    non-empty combination, largest first (ties: fewer sets, then lower indexes): the parts of a
    Venn picture, or the bars of an UpSet chart."""
    if len(sets) > 62:
        raise ValidationError("Intersections can be listed for at most 62 channels at a time.")
    _bits(sets)
    totals: dict[int, int] = {}
    for key, bitmaps in _by_key(sets).items():
        # one pattern word per member of the shard: bit i set when set i holds the member
        patterns = np.zeros(max(b.max() for b in bitmaps) + 1, dtype=np.int64)
        for i, s in enumerate(sets):
            bitmap = s.shards.get(key)
            if bitmap is not None:
                patterns[np.frombuffer(bitmap.to_array(), dtype=np.uint32)] |= 1 << i
        found, counts = np.unique(patterns[patterns != 0], return_counts=True)
        for pattern, count in zip(found.tolist(), counts.tolist(), strict=True):
            totals[pattern] = totals.get(pattern, 0) + count
    # largest first; ties: fewer sets, then the lower indexes first (sorted index lists compare
    # as the patterns with their bits reversed, descending)
    ranked = sorted(
        totals.items(),
        key=lambda item: (-item[1], item[0].bit_count(), -int(f"{item[0]:062b}"[::-1], 2)),
    )
    if limit is not None:
        ranked = ranked[:limit]
    return [
        (frozenset(i for i in range(len(sets)) if pattern >> i & 1), count)
        for pattern, count in ranked
    ]


def membership_counts(sets: Sequence[Members]) -> dict[str, npt.NDArray[np.int64]]:
    """Per platform, for each dense member id, in how many of the sets it is."""
    _bits(sets)
    counts: dict[str, npt.NDArray[np.int64]] = {}
    for platform in sorted({p for s in sets for p in s.platforms}):
        parts = [s.ids(platform) for s in sets if platform in s.platforms]
        ids = np.concatenate(parts)
        counts[platform] = np.bincount(ids.astype(np.int64)).astype(np.int64)
    return counts
