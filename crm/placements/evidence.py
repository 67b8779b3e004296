"""Evidence: screenshots of a placement's statistics, kept in the database beside its numbers.

A file is taken for what its bytes are, never for what its name says: a ``.png`` that holds
text is refused, and so is a real image over ``MAX_BYTES``.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import PurePosixPath, PureWindowsPath

import duckdb
import polars as pl
from PIL import Image, UnidentifiedImageError

from crm.errors import NotFound, ValidationError
from crm.outreach.sql import frame
from crm.store import Store

MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 200
# image types by their first bytes: (mime, the extension a nameless file gets, Pillow's name)
IMAGE_TYPES = {
    "png": ("image/png", ".png", "PNG"),
    "jpeg": ("image/jpeg", ".jpg", "JPEG"),
    "webp": ("image/webp", ".webp", "WEBP"),
    "gif": ("image/gif", ".gif", "GIF"),
}
_KINDS = "PNG, JPEG, WebP or GIF"


def image_type(data: bytes) -> str | None:
    """The image type the bytes begin with (png, jpeg, webp, gif), None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _clean_name(filename: str, kind: str) -> str:
    # a browser may send a whole path (C:\Users\…\shot.png): keep the file's own name
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    name = " ".join(name.split())
    if not name:
        return "screenshot" + IMAGE_TYPES[kind][1]
    if len(name) > MAX_NAME:
        suffix = PurePosixPath(name).suffix
        suffix = suffix if len(suffix) <= 10 else ""
        name = name[: len(name) - len(suffix)][: MAX_NAME - len(suffix)] + suffix
    return name


def check_image(data: bytes, filename: str) -> str:
    """The image type of a screenshot's bytes; refuses an empty file, one over ``MAX_BYTES``,
    one that is no image by its content, and a damaged one."""
    shown = filename or "The file"
    if not data:
        raise ValidationError(f"“{shown}” is empty: choose the screenshot itself.")
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"“{shown}” is {_megabytes(len(data))}; a screenshot can be at most "
            f"{_megabytes(MAX_BYTES)}. Save it smaller (JPEG or WebP, or a crop) and try again."
        )
    kind = image_type(data)
    if kind is None:
        what = "text" if _looks_like_text(data) else "not an image"
        raise ValidationError(
            f"“{shown}” is not a {_KINDS} image: its content is {what}, whatever its name "
            "says. Attach the screenshot itself."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[IMAGE_TYPES[kind][2]]) as image:
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            f"“{shown}” begins like a {kind.upper()} image but cannot be read ({exc}): the "
            "file is damaged or incomplete."
        ) from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(
            f"“{shown}” is an image of too many pixels to be a screenshot."
        ) from None
    return kind


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not only a character cut at the end of the sample
            return False
    return b"\x00" not in head


def attach_evidence(
    store: Store,
    placement_id: int,
    data: bytes,
    filename: str,
    *,
    result_id: int | None = None,
) -> int:
    """Keep a screenshot with a placement (and, optionally, the measurement it shows); returns
    its id. Refuses non-images by their content, files over ``MAX_BYTES``, a measurement of
    another placement, and the same image attached twice to one placement."""
    kind = check_image(data, filename)
    name = _clean_name(filename, kind)
    digest = hashlib.sha256(data).hexdigest()
    with store.transaction("placements") as cur:
        if not cur.execute("select 1 from placements where id = ?", [placement_id]).fetchall():
            raise NotFound(f"Placement {placement_id} does not exist.")
        if result_id is not None:
            owner = cur.execute(
                "select placement_id from results where id = ?", [result_id]
            ).fetchall()
            if not owner:
                raise NotFound(f"Measurement {result_id} no longer exists.")
            if int(owner[0][0]) != placement_id:
                raise ValidationError(
                    f"Measurement {result_id} belongs to another placement; choose one of "
                    "this placement's measurements."
                )
        same = cur.execute(
            "select filename from evidence where placement_id = ? and sha256 = ?",
            [placement_id, digest],
        ).fetchall()
        if same:
            raise ValidationError(
                f"This image is attached to the placement already (as “{same[0][0]}”)."
            )
        row = cur.execute(
            """
            insert into evidence (placement_id, result_id, filename, mime, sha256, bytes)
            values (?, ?, ?, ?, ?, ?) returning id
            """,
            [placement_id, result_id, name, IMAGE_TYPES[kind][0], digest, data],
        ).fetchall()
    return int(row[0][0])


def evidence_frame(cur: duckdb.DuckDBPyConnection, placement_id: int) -> pl.DataFrame:
    """A placement's screenshots without their bytes (id, filename, mime, size, created_at,
    result_id), newest first."""
    return frame(
        cur,
        """
        select id, filename, mime, octet_length(bytes) as size, created_at, result_id
        from evidence where placement_id = ?
        order by created_at desc, id desc
        """,
        [placement_id],
    )


def evidence_bytes(cur: duckdb.DuckDBPyConnection, evidence_id: int) -> tuple[str, str, bytes]:
    """One screenshot: (filename, mime, bytes)."""
    rows = cur.execute(
        "select filename, mime, bytes from evidence where id = ?", [evidence_id]
    ).fetchall()
    if not rows:
        raise NotFound(f"Screenshot {evidence_id} no longer exists.")
    name, mime, data = rows[0]
    return str(name), str(mime), bytes(data)


def delete_evidence(store: Store, evidence_id: int) -> None:
    """Remove one screenshot."""
    with store.transaction("placements") as cur:
        gone = cur.execute(
            "delete from evidence where id = ? returning id", [evidence_id]
        ).fetchall()
        if not gone:
            raise NotFound(f"Screenshot {evidence_id} no longer exists.")
