"""The workspace's pipeline stages: added, renamed, reordered and deleted by the user.

A stage's key never changes once made (events name stages by key), so a renamed stage keeps
its history. Some stages carry the product's own meaning and can be renamed but not deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from crm.errors import NotFound, ValidationError
from crm.store import Store

# the stages the product's logic relies on, with why each cannot be deleted
PROTECTED = {
    "shortlisted": "channels added to a campaign start there",
    "contacted": "reply times are measured from it",
    "replied": "reply times are measured to it",
    "paid": "follow-ups stop being overdue there",
    "declined": "it is a closing stage (no deal)",
    "no_response": "it is a closing stage, and proposed for channels that never replied",
}
MAX_LABEL = 60


@dataclass(frozen=True)
class Stage:
    """One pipeline stage: its stable key, its label, its place, whether it closes a deal."""

    key: str
    label: str
    position: int
    closing: bool
    version: int


def list_stages(cur: duckdb.DuckDBPyConnection) -> list[Stage]:
    """Every stage, in board order."""
    rows = cur.execute(
        "select key, label, position, closing, version from stages order by position, key"
    ).fetchall()
    return [Stage(str(k), str(lb), int(p), bool(c), int(v)) for k, lb, p, c, v in rows]


def stage_labels(cur: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each stage's label by key."""
    return {s.key: s.label for s in list_stages(cur)}


def stage_counts(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many shortlisted channels sit in each stage (every stage, 0 for an empty one),
    across every campaign, closed ones too: their cards also keep a stage from being deleted."""
    counts = {s.key: 0 for s in list_stages(cur)}
    rows = cur.execute("select stage, count(*) from shortlist group by stage").fetchall()
    counts.update({str(k): int(n) for k, n in rows})
    return counts


def get_stage(cur: duckdb.DuckDBPyConnection, key: str) -> Stage:
    """One stage by key; refuses an unknown key, naming the known ones."""
    stages = list_stages(cur)
    for stage in stages:
        if stage.key == key:
            return stage
    raise NotFound(f"There is no stage “{key}”. Stages: {', '.join(s.key for s in stages)}.")


def slug(label: str) -> str:
    """The key made from a label: lower case, words joined by underscores."""
    return re.sub(r"[^\w]+", "_", label.strip().lower()).strip("_")


def _clean_label(cur: duckdb.DuckDBPyConnection, label: str, key: str | None) -> str:
    text = " ".join((label or "").split())
    if not text:
        raise ValidationError("A stage needs a name.")
    if len(text) > MAX_LABEL:
        raise ValidationError(f"A stage's name can be at most {MAX_LABEL} characters long.")
    for stage in list_stages(cur):
        if stage.key != key and stage.label.lower() == text.lower():
            raise ValidationError(f"There is a stage called “{stage.label}” already.")
    return text


def add_stage(store: Store, label: str, *, closing: bool = False, after: str | None = None) -> str:
    """Add a stage after ``after`` (by default: an open stage after the last open one, a closing
    stage at the end); returns its key, made from the label and unique."""
    with store.transaction("outreach") as cur:
        text = _clean_label(cur, label, None)
        stages = list_stages(cur)
        keys = {s.key for s in stages}
        base = slug(text) or "stage"
        key, n = base, 2
        while key in keys:
            key, n = f"{base}_{n}", n + 1
        if after is not None:
            position = get_stage(cur, after).position + 1
        elif closing or not any(s.closing for s in stages):
            position = max((s.position for s in stages), default=0) + 1
        else:
            position = min(s.position for s in stages if s.closing)
        cur.execute("update stages set position = position + 1 where position >= ?", [position])
        cur.execute(
            "insert into stages (key, label, position, closing) values (?, ?, ?, ?)",
            [key, text, position, closing],
        )
    return key


def rename_stage(store: Store, key: str, label: str) -> None:
    """Give a stage a new name; its key (and so its history) stays."""
    with store.transaction("outreach") as cur:
        get_stage(cur, key)
        text = _clean_label(cur, label, key)
        cur.execute(
            "update stages set label = ?, version = version + 1 where key = ? and label <> ?",
            [text, key, text],
        )


def reorder_stages(store: Store, keys: list[str]) -> None:
    """Put the stages in this order; ``keys`` must name every stage exactly once."""
    with store.transaction("outreach") as cur:
        known = [s.key for s in list_stages(cur)]
        if sorted(keys) != sorted(known):
            missing = [k for k in known if k not in keys]
            extra = sorted({k for k in keys if k not in known or keys.count(k) > 1})
            parts = []
            if missing:
                parts.append(f"missing {', '.join(missing)}")
            if extra:
                parts.append(f"unknown or repeated {', '.join(extra)}")
            raise ValidationError(
                "The new order must name every stage exactly once (" + "; ".join(parts) + ")."
            )
        cur.execute(
            """
            update stages set position = o.position, version = version + 1
            from (select unnest(?::varchar[]) as key,
                         generate_subscripts(?::varchar[], 1) as position) o
            where stages.key = o.key and stages.position <> o.position
            """,
            [keys, keys],
        )


def delete_stage(store: Store, key: str) -> None:
    """Delete a stage that holds no channel; refuses the stages the product relies on and the
    last open stage, and names how many channels (in which campaigns) still sit in it."""
    with store.transaction("outreach") as cur:
        stage = get_stage(cur, key)
        if key in PROTECTED:
            raise ValidationError(
                f"The stage “{stage.label}” cannot be deleted: {PROTECTED[key]}. You can rename it."
            )
        if not stage.closing and sum(1 for s in list_stages(cur) if not s.closing) <= 1:
            raise ValidationError(f"“{stage.label}” is the last open stage: it cannot go.")
        rows = cur.execute(
            """
            select c.name, count(*) from shortlist s join campaigns c on c.id = s.campaign_id
            where s.stage = ? group by c.name order by count(*) desc, c.name
            """,
            [key],
        ).fetchall()
        if rows:
            total = sum(int(n) for _, n in rows)
            where = ", ".join(f"{n} in “{name}”" for name, n in rows)
            raise ValidationError(
                f"The stage “{stage.label}” still holds {total} "
                f"{'channel' if total == 1 else 'channels'} ({where}). Move "
                f"{'it' if total == 1 else 'them'} to another stage first."
            )
        position = stage.position
        cur.execute("delete from stages where key = ?", [key])
        cur.execute("update stages set position = position - 1 where position > ?", [position])
