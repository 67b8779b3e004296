"""Budgeted maximum coverage: the channels whose unique reach is largest within a budget.

Khuller, Moss and Naor (1999), "The budgeted maximum coverage problem". Unique reach is a
monotone submodular function of the chosen channels, so a channel's added reach can only
shrink as others are chosen: a channel's last computed added reach per unit of money is an
upper bound of its current one, which is what makes lazy evaluation exact (a max-heap of such
bounds; the top is recomputed and taken when it is still the top).

- Up to ``enumerate_up_to`` affordable candidates: every affordable set of one or two channels,
  and every affordable set of three completed by cost-benefit greedy; the best of all is at
  least (1 − 1/e) ≈ 63% of the best possible unique reach.
- More: cost-benefit greedy (a channel that no longer fits is skipped and the next one tried),
  compared with the best single affordable channel; at least ½(1 − 1/e) ≈ 31.6%.

must_include channels seed the pick: every bound above is then relative to the best set that
contains them. Costs are Decimal; ratios are floats only to order the heap.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from crm.audience.sets import EMPTY, Members, added_reach, union
from crm.errors import ValidationError

METHOD_ENUMERATION = (
    "Every affordable combination of up to three channels, each completed greedily by added "
    "reach per unit of money (with lazy evaluation); the best of them"
)
METHOD_GREEDY = (
    "Greedy by added reach per unit of money, with lazy evaluation, compared with the best "
    "single channel"
)
METHOD_EXHAUSTIVE = "Every affordable combination of the candidates was checked"
METHOD_NAIVE = "Largest followers first, adding each channel that still fits the budget"

GUARANTEE_ENUMERATION = "at least 63% of the best possible unique reach for this budget"
GUARANTEE_GREEDY = "at least 31% of the best possible unique reach for this budget"
GUARANTEE_EXHAUSTIVE = "the best possible unique reach for this budget"
GUARANTEE_NAIVE = "none: overlap between the channels is ignored"
WITH_MUST = " that includes the must-include channels"


@dataclass(frozen=True)
class Candidate:
    """A channel that may be bought: its members, its price (base currency), its followers."""

    id: int
    members: Members
    cost: Decimal
    followers: int | None = None


@dataclass(frozen=True)
class Pick:
    """A chosen set of channels (in the order they were added) with its cost and unique reach."""

    ids: tuple[int, ...]
    cost: Decimal
    unique_reach: int
    method: str
    guarantee: str


@dataclass
class _State:
    """A partial pick: the ids in order, what they cover, what they cost."""

    ids: list[int]
    covered: Members
    cost: Decimal

    def add(self, cand: Candidate) -> _State:
        return _State(
            [*self.ids, cand.id], union([self.covered, cand.members]), self.cost + cand.cost
        )


def optimize(
    candidates: Sequence[Candidate],
    budget: Decimal,
    *,
    must_include: Collection[int] = (),
    enumerate_up_to: int = 12,
) -> Pick:
    """The channels with the largest unique reach within ``budget`` (Khuller–Moss–Naor)."""
    _, seed = _seed(candidates, budget, must_include)
    left = budget - seed.cost
    # a channel dearer than what is left can never join: drop it before any work
    chosen = set(seed.ids)
    free = sorted(
        (c for c in candidates if c.id not in chosen and c.cost <= left), key=lambda c: c.id
    )
    # each channel's added reach to the seed: an upper bound of its gain to any larger pick
    gains = {c.id: added_reach(c.members, seed.covered) for c in free}
    free = [c for c in free if gains[c.id] > 0]
    suffix = WITH_MUST if seed.ids else ""
    if len(free) <= 3:
        best = _exhaustive(free, seed, left)
        return _pick(best, METHOD_EXHAUSTIVE, GUARANTEE_EXHAUSTIVE + suffix)
    if len(free) <= enumerate_up_to:
        best = _enumerate(free, seed, left, gains)
        return _pick(best, METHOD_ENUMERATION, GUARANTEE_ENUMERATION + suffix)
    greedy = _greedy(free, seed, left, gains)
    single = max(free, key=lambda c: (gains[c.id], -c.cost, -c.id))
    best = greedy
    if gains[single.id] > _reach(greedy) - _reach(seed):
        best = seed.add(single)
    return _pick(best, METHOD_GREEDY, GUARANTEE_GREEDY + suffix)


def naive_pick(
    candidates: Sequence[Candidate], budget: Decimal, *, must_include: Collection[int] = ()
) -> Pick:
    """The pick a manager makes by eye: largest followers first (then list size), while it fits."""
    _, state = _seed(candidates, budget, must_include)
    chosen = set(state.ids)
    order = sorted(
        (c for c in candidates if c.id not in chosen),
        key=lambda c: (c.followers is None, -(c.followers or 0), -c.members.size, c.id),
    )
    ids, covered, cost = list(state.ids), [state.covered], state.cost
    for cand in order:
        if cost + cand.cost <= budget:
            ids.append(cand.id)
            covered.append(cand.members)
            cost += cand.cost
    return _pick(_State(ids, union(covered), cost), METHOD_NAIVE, GUARANTEE_NAIVE)


def _seed(
    candidates: Sequence[Candidate], budget: Decimal, must_include: Collection[int]
) -> tuple[dict[int, Candidate], _State]:
    """Check the input; the must-include channels as the starting pick."""
    if not isinstance(budget, Decimal) or not budget.is_finite() or budget <= 0:
        raise ValidationError(f"The budget must be an amount above zero, not {budget}.")
    by_id: dict[int, Candidate] = {}
    for cand in candidates:
        if cand.id in by_id:
            raise ValidationError(f"Channel {cand.id} is among the candidates twice.")
        if not isinstance(cand.cost, Decimal) or not cand.cost.is_finite() or cand.cost <= 0:
            raise ValidationError(
                f"Channel {cand.id} has a price of {cand.cost}: a price must be above zero."
            )
        by_id[cand.id] = cand
    missing = sorted(set(must_include) - by_id.keys())
    if missing:
        raise ValidationError(
            "These must-include channels are not among the candidates (no price or no member "
            f"list?): {', '.join(map(str, missing))}."
        )
    must = [by_id[i] for i in sorted(set(must_include))]
    cost = sum((c.cost for c in must), Decimal(0))
    if cost > budget:
        raise ValidationError(
            f"The must-include channels cost {cost}, more than the budget of {budget}."
        )
    return by_id, _State([c.id for c in must], union([c.members for c in must]), cost)


def _reach(state: _State) -> int:
    return state.covered.size


def _better(a: _State, b: _State) -> bool:
    """More unique reach; then cheaper; then the smaller ids (so ties fall the same way)."""
    return _key(_reach(a), a.cost, a.ids) < _key(_reach(b), b.cost, b.ids)


def _exhaustive(free: Sequence[Candidate], seed: _State, left: Decimal) -> _State:
    """Every affordable subset of at most three channels: all there are."""
    best = seed
    for k in range(1, len(free) + 1):
        for combo in combinations(free, k):
            if sum((c.cost for c in combo), Decimal(0)) <= left:
                state = _extend(seed, combo)
                if _better(state, best):
                    best = state
    return best


def _extend(state: _State, cands: Iterable[Candidate]) -> _State:
    cands = list(cands)
    return _State(
        [*state.ids, *(c.id for c in cands)],
        union([state.covered, *(c.members for c in cands)]),
        state.cost + sum((c.cost for c in cands), Decimal(0)),
    )


def _enumerate(
    free: Sequence[Candidate], seed: _State, left: Decimal, gains: dict[int, int]
) -> _State:
    """Partial enumeration: all affordable sets of 1–2, and greedy completions of all 3-sets.

    The plain greedy from the seed is one more contender (it can only raise the best). A 3-set
    whose completion cannot beat the best so far is skipped: its completion adds at most the
    fractional-knapsack value of the others' gains to the seed (unique reach is submodular).
    """
    base = _reach(seed)
    best = _greedy(free, seed, left, gains)
    best_key = _key(_reach(best), best.cost, best.ids)
    ones = {c.id: seed.add(c) for c in free}
    pairs: dict[tuple[int, int], int] = {}
    winner: tuple[Candidate, ...] | None = None
    for c in free:
        key = _key(base + gains[c.id], seed.cost + c.cost, [*seed.ids, c.id])
        if key < best_key:
            best_key, winner = key, (c,)
    for a, b in combinations(free, 2):
        if a.cost + b.cost <= left:
            pairs[a.id, b.id] = ones[a.id].covered.union_size(b.members)
            key = _key(pairs[a.id, b.id], seed.cost + a.cost + b.cost, [*seed.ids, a.id, b.id])
            if key < best_key:
                best_key, winner = key, (a, b)
    if winner is not None:
        best = _extend(seed, winner)
    by_ratio = sorted(free, key=lambda c: (-gains[c.id] / float(c.cost), c.id))
    for a, b, c in combinations(free, 3):
        spent = a.cost + b.cost + c.cost
        if spent > left:
            continue
        bound = (
            pairs[a.id, b.id] + gains[c.id] + _knapsack(by_ratio, left - spent, gains, (a, b, c))
        )
        if bound + 1 <= _reach(best):  # (+1: the float bound may round down a little)
            continue
        three = _extend(ones[a.id], (b, c))
        done = _greedy([x for x in free if x not in (a, b, c)], three, left - spent, gains)
        if _better(done, best):
            best = done
    return best


def _key(reach: int, cost: Decimal, ids: Sequence[int]) -> tuple[int, Decimal, list[int]]:
    """The order of _better as a key: more reach, then cheaper, then the smaller ids."""
    return (-reach, cost, sorted(ids))


def _knapsack(
    by_ratio: Sequence[Candidate], money: Decimal, gains: dict[int, int], skip: Sequence[Candidate]
) -> float:
    """The fractional-knapsack value of the gains within ``money``: no completion adds more."""
    total, left = 0.0, money
    for cand in by_ratio:
        if left <= 0:
            break
        if cand in skip:
            continue
        if cand.cost <= left:
            total += gains[cand.id]
            left -= cand.cost
        else:
            total += gains[cand.id] * float(left / cand.cost)
            break
    return total


def _greedy(
    free: Sequence[Candidate], start: _State, left: Decimal, bounds: dict[int, int]
) -> _State:
    """Cost-benefit greedy with lazy evaluation from ``start``, spending at most ``left``.

    ``bounds`` holds an upper bound of each channel's added reach (its gain to a subset of
    ``start``'s cover). A popped channel is recomputed; it is taken when its fresh ratio still
    tops the heap (every other entry is an upper bound), else pushed back with the fresh value.
    Ties fall to the smaller id. A channel that no longer fits is dropped (it never will again).
    """
    state = start
    by_index = list(free)
    heap: list[tuple[float, int, int]] = [
        (-bounds[c.id] / float(c.cost), c.id, i)
        for i, c in enumerate(by_index)
        if c.cost <= left and bounds[c.id] > 0
    ]
    heapq.heapify(heap)
    fresh_at: dict[int, int] = {}  # index → the pick length when its entry was computed
    while heap:
        _, cid, i = heapq.heappop(heap)
        cand = by_index[i]
        if cand.cost > left:
            continue
        if fresh_at.get(i) != len(state.ids):
            gain = added_reach(cand.members, state.covered)
            if gain == 0:
                continue  # submodular: it will never add anyone
            entry = (-gain / float(cand.cost), cid, i)
            fresh_at[i] = len(state.ids)
            if heap and entry > heap[0]:
                heapq.heappush(heap, entry)
                continue
        state = state.add(cand)
        left -= cand.cost
    return state


def _pick(state: _State, method: str, guarantee: str) -> Pick:
    covered = state.covered if state.ids else EMPTY
    return Pick(tuple(state.ids), state.cost, covered.size, method, guarantee)
