"""Evidence: screenshots taken by their content, never by their name; size limit; attached to a
placement or one of its measurements; read back byte for byte; removed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from crm.errors import NotFound, ValidationError
from crm.placements import log_placement, record_result
from crm.placements.evidence import (
    MAX_BYTES,
    attach_evidence,
    delete_evidence,
    evidence_bytes,
    evidence_frame,
    image_type,
)
from crm.registry import add_channel
from crm.store import Store


def _image(kind: str, size: tuple[int, int] = (4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(out, format=kind)
    return out.getvalue()


@pytest.fixture
def placement(store: Store) -> int:
    return log_placement(store, channel_id=add_channel(store, "vk", "brand"))


def _count(store: Store) -> int:
    return int(store.cursor().execute("select count(*) from evidence").fetchone()[0])  # type: ignore[index]


def test_image_types_by_magic_bytes() -> None:
    assert image_type(_image("PNG")) == "png"
    assert image_type(_image("JPEG")) == "jpeg"
    assert image_type(_image("WEBP")) == "webp"
    assert image_type(_image("GIF")) == "gif"
    assert image_type(b"hello, I am text") is None
    assert image_type(b"RIFF\x00\x00\x00\x00WAVE") is None  # a RIFF that is sound, not WebP


def test_attach_and_read_back(store: Store, placement: int) -> None:
    png, webp = _image("PNG"), _image("WEBP")
    # the content decides the type, whatever the name says
    first = attach_evidence(store, placement, png, "C:\\Users\\ira\\Desktop\\stats.jpg")
    rid = record_result(store, placement, measured_at=dt.datetime(2026, 3, 2), reach=10)
    second = attach_evidence(store, placement, webp, "", result_id=rid)
    cur = store.cursor()
    assert evidence_bytes(cur, first) == ("stats.jpg", "image/png", png)
    assert evidence_bytes(cur, second) == ("screenshot.webp", "image/webp", webp)
    frame = evidence_frame(cur, placement)
    assert frame.columns == ["id", "filename", "mime", "size", "created_at", "result_id"]
    rows = {r["id"]: r for r in frame.iter_rows(named=True)}
    assert (rows[first]["size"], rows[first]["result_id"]) == (len(png), None)
    assert (rows[second]["size"], rows[second]["result_id"]) == (len(webp), rid)
    long_name = "x" * 300 + ".png"
    third = attach_evidence(store, placement, _image("PNG", (5, 5)), long_name)
    name = evidence_bytes(cur, third)[0]
    assert len(name) == 200 and name.endswith("x.png")


def test_text_named_png_is_refused(store: Store, placement: int) -> None:
    with pytest.raises(
        ValidationError,
        match=r"^“stats\.png” is not a PNG, JPEG, WebP or GIF image: its content is text, "
        r"whatever its name says\.",
    ):
        attach_evidence(store, placement, "охват 12 000, клики 300\n".encode(), "stats.png")
    with pytest.raises(ValidationError, match=r"its content is not an image"):
        attach_evidence(store, placement, b"%PDF-1.7\x00\x01\x02\xff\xfe", "stats.pdf")
    with pytest.raises(ValidationError, match=r"is empty"):
        attach_evidence(store, placement, b"", "shot.png")
    # a PNG's first bytes and then nothing of a picture
    with pytest.raises(ValidationError, match=r"begins like a PNG image but cannot be read"):
        attach_evidence(store, placement, b"\x89PNG\r\n\x1a\n" + b"not really", "shot.png")
    assert _count(store) == 0


def test_fifty_megabytes_is_refused(store: Store, placement: int) -> None:
    big = _image("PNG") + b"\x00" * (50 * 1024 * 1024)
    with pytest.raises(
        ValidationError, match=r"^“huge\.png” is 50\.0 MB; a screenshot can be at most 10\.0 MB\."
    ):
        attach_evidence(store, placement, big, "huge.png")
    # exactly the limit is allowed in size (and then read as the PNG it is)
    at_limit = _image("PNG")
    at_limit += b"\x00" * (MAX_BYTES - len(at_limit))
    attach_evidence(store, placement, at_limit, "limit.png")
    assert _count(store) == 1


def test_refusals_about_where_it_goes(store: Store, placement: int) -> None:
    png = _image("PNG")
    with pytest.raises(NotFound, match="Placement 999 does not exist"):
        attach_evidence(store, 999, png, "a.png")
    other = log_placement(store, channel_id=add_channel(store, "vk", "other"))
    rid = record_result(store, other, measured_at=dt.datetime(2026, 3, 2), reach=1)
    with pytest.raises(ValidationError, match=f"Measurement {rid} belongs to another placement"):
        attach_evidence(store, placement, png, "a.png", result_id=rid)
    attach_evidence(store, placement, png, "a.png")
    with pytest.raises(ValidationError, match="attached to the placement already \\(as “a.png”\\)"):
        attach_evidence(store, placement, png, "b.png")
    attach_evidence(store, other, png, "a.png")  # the same image on another placement is fine
    assert _count(store) == 2


def test_delete_evidence(store: Store, placement: int) -> None:
    eid = attach_evidence(store, placement, _image("GIF"), "anim.gif")
    delete_evidence(store, eid)
    assert _count(store) == 0
    with pytest.raises(NotFound, match=f"Screenshot {eid} no longer exists"):
        delete_evidence(store, eid)
    with pytest.raises(NotFound):
        evidence_bytes(store.cursor(), eid)
