"""Which field each column of a file holds, by the English and Russian names of crm.fields."""

from __future__ import annotations

import re

from crm.errors import ImportRefused
from crm.fields import CHANNELS, Entity
from crm.vocab.platforms import PLATFORMS

# the fields a channel file may be mapped to (DESIGN.md names, then price and currency)
CHANNEL_FIELDS = CHANNELS.import_targets()
FIELD_LABELS = {name: CHANNELS.by_name(name).label for name in CHANNEL_FIELDS}

# row numbers and ranks, in any file
_IGNORED = {"id", "rank", "n", "no", "номер", "место", "row", "index", "eng auth"}
_NUMBERED = re.compile(r"^(.+?)\s*\d+$")  # "Category_1": one of several columns of a field
_AVERAGE = ("avg ", "average ", "mean ", "средний ", "среднее ", "средние ", "ср ")
_PAGE_HINTS = ("page ", "паблик", "сообществ", "группа", "community", "members", "участник")
_PLATFORM_WORDS = {"twitter": "x", "fb": "facebook", "ig": "instagram", "vkontakte": "vk"}
# typed by hand for a field under another name (--map niches=..., tag=...)
_TARGET_ALIASES = {"niches": "niche", "tag": "tags"}


def normalise_header(name: str) -> str:
    """A header reduced for matching: lower case, ё as е, punctuation as single spaces."""
    text = name.lower().replace("ё", "е")
    text = re.sub(r"\s\(\d+\)$", "", text)  # our own "followers (2)" suffix for repeats
    return " ".join(re.sub(r"[^\w%]+|_", " ", text).replace("%", " ").split())


def _platform_prefix(key: str) -> tuple[str | None, str]:
    head, _, rest = key.partition(" ")
    platform = _PLATFORM_WORDS.get(head, head)
    if platform in PLATFORMS and platform != "other" and rest:
        return platform, rest
    return None, key


def _by_synonym(key: str, entity: Entity) -> str | None:
    found = entity.for_header(key)
    if found is None:
        for prefix in _AVERAGE:
            if key.startswith(prefix):
                found = entity.for_header(key[len(prefix) :])
                break
    if found is None:
        numbered = _NUMBERED.match(key)
        several = entity.for_header(numbered.group(1)) if numbered else None
        found = several if several is not None and several.several else None
    return found.name if found is not None else None


def suggest_mapping(headers: list[str], entity: Entity = CHANNELS) -> dict[str, str | None]:
    """The field each column most likely holds (None: ignore), by English and Russian names."""
    keys = {h: normalise_header(h) for h in headers}
    identity = "handle" in entity and "url" in entity
    out: dict[str, str | None] = {}
    prefixed_title = False
    for header, key in keys.items():
        platform, rest = _platform_prefix(key) if identity else (None, key)
        if platform and rest in ("name", "имя", "title", "название"):
            out[header] = "title"
            prefixed_title = True
        elif platform and rest in ("id", "handle", "username", "account", "link", "url"):
            out[header] = "url" if rest in ("link", "url") else "handle"
        elif identity and key in PLATFORMS and key not in ("telegram", "other"):
            out[header] = "handle"  # a column named "instagram" holds Instagram handles
        elif key in _IGNORED:
            out[header] = None
        else:
            out[header] = _by_synonym(key, entity)
    has_identity = any(t in ("handle", "url") for t in out.values())
    if prefixed_title:
        # "instagram name" is the display name, so a plain "name" column holds the handles
        for header, target in out.items():
            if target == "title" and keys[header] in ("name", "имя") and not has_identity:
                out[header] = "handle"
                has_identity = True
    return out


def infer_defaults(headers: list[str]) -> dict[str, str | None]:
    """What a channel file's headers hint about every row: the platform and the kind."""
    platform = None
    for header in headers:
        hinted, rest = _platform_prefix(normalise_header(header))
        if hinted and rest in ("name", "имя", "id", "handle", "username", "title", "название"):
            platform = hinted
            break
    keys = " ".join(" " + normalise_header(h) for h in headers) + " "
    kind = "public_page" if any(hint in keys for hint in _PAGE_HINTS) else "person"
    return {"platform": platform, "kind": kind}


def resolve_mapping(
    headers: list[str],
    mapping: dict[str, str | None] | None = None,
    entity: Entity = CHANNELS,
) -> dict[str, str | None]:
    """The suggestion overridden by a hand-made mapping; refuses unknown columns or fields."""
    out = suggest_mapping(headers, entity)
    if not mapping:
        return out
    by_key: dict[str, str] = {}
    for h in headers:
        by_key.setdefault(normalise_header(h), h)
    targets = entity.import_targets()
    chosen: dict[str, str | None] = {}
    for source, target in mapping.items():
        header = source if source in out else by_key.get(normalise_header(source))
        if header is None:
            raise ImportRefused(
                f"The file has no column “{source}”. Columns found: {', '.join(headers)}."
            )
        if target in (None, "", "ignore", "-"):
            chosen[header] = None
            continue
        name = target.strip()
        name = _TARGET_ALIASES.get(name, name)
        if name not in targets:
            raise ImportRefused(
                f"“{name}” is not a field {entity.name} can be imported into. "
                f"Fields: {', '.join(targets)}."
            )
        chosen[header] = name
    taken = {t for t in chosen.values() if t}
    for header, target in out.items():
        if header in chosen:
            out[header] = chosen[header]
        elif target in taken:
            out[header] = None  # the hand-made choice for this field replaces the suggestion
    return out


_REPEAT = re.compile(r"^(.*) \((\d+)\)$")  # read.py names a repeated header "followers (2)"


def _listed(names: list[str]) -> str:
    quoted = [f"“{n}”" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


def mapping_warnings(
    headers: list[str], mapping: dict[str, str | None], entity: Entity = CHANNELS
) -> list[str]:
    """What a mapping does that people should know: several columns feeding one field (the
    first filled wins), and columns left out although they hold a field read from another
    column, or repeat the header of a column that is read."""
    out: list[str] = []
    sources: dict[str, list[str]] = {}
    for header in headers:
        target = mapping.get(header)
        if target:
            sources.setdefault(target, []).append(header)
    for name, columns in sources.items():
        if len(columns) < 2 or name not in entity or entity.by_name(name).several:
            continue
        numeric = entity.by_name(name).spec.value_kind in ("count", "number", "ratio", "money")
        how = ", whole numbers first" if numeric else ""
        both = "both" if len(columns) == 2 else "all"
        out.append(
            f"Columns {_listed(columns)} {both} hold {name}: each row takes the first of them "
            f"that is filled{how}."
        )
    suggested = suggest_mapping(headers, entity)
    for header in headers:
        if mapping.get(header):
            continue
        repeat = _REPEAT.match(header)
        if repeat and mapping.get(repeat.group(1)):
            out.append(f"Column “{header}” repeats the header “{repeat.group(1)}” and is ignored.")
            continue
        hint = suggested.get(header)
        if hint and hint in sources and not entity.by_name(hint).several:
            read_from = _listed(sources[hint])
            out.append(f"Column “{header}” is ignored: {hint} is read from {read_from}.")
    return out
