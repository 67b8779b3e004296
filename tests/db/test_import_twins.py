"""Small synthetic twins of the real exports' quirks (shared/data/real/SOURCES.md).

The real files are not in the repository; these twins carry the same quirks so that every
clone (and CI without the shared folder) checks them.
"""

from __future__ import annotations

from pathlib import Path

from crm.importing.channels import import_channels_file
from crm.importing.mapping import suggest_mapping
from crm.importing.read import read_table

# Instagram top-1000 twin: repeated headers (abbreviated first, then the plain integer, where the
# abbreviation is not exact), `name` holds the handle and `instagram name` the display name (one
# empty), categories as niches in the workspace's one vocabulary (one empty, one unknown kept), a handle repeated with other numbers (later row wins).
INSTAGRAM = """\
Rank,name,instagram name,Category_1,Category_2,followers,followers,country,Eng. (Auth.),Eng. (Auth.),Eng. (Avg.),Eng. (Avg.)
1,leomessi,Leo Messi,Sports with a ball,Family,409.8M,409812345,Argentina,17.8M,17800000,23.4M,23412345
2,kevinhart4real,Kevin Hart,Cinema & Actors/actresses,,160M,160000000,United States,75.4K,75400,75.4K,75400
3,neymarjr,NJ 🇧🇷,Sports with a ball,,198.9M,198900000,Brazil,6.7M,6700000,9.5M,9500000
4,someone_quiet,,,,1.2M,1234567,India,1K,1000,1.1K,1100
5,kevinhart4real,Kevin Hart,Cinema & Actors/actresses,,160.8M,160800000,United States,45.2K,45200,45.2K,45200
"""

# Facebook pages twin: key on facebook_id, page names repeat, page_type is the niche.
FACEBOOK = """\
id,facebook_id,page_name,page_type
0,145647315578475,The Voice of China 中国好声音,tvshow
1,191483281412,U.S. Consulate General Mumbai,government
2,144761358898518,Cognac Hennessy,company
3,568700043198473,Cognac Hennessy,company
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_instagram_twin_plain_integer_beats_the_abbreviation(store, tmp_path: Path) -> None:
    path = _write(tmp_path, "instagram_twin.csv", INSTAGRAM)
    table = read_table(path.read_bytes(), path.name)
    mapping = suggest_mapping(table.columns)
    assert mapping["name"] == "handle"
    assert mapping["instagram name"] == "title"
    assert mapping["followers"] == mapping["followers (2)"] == "followers"
    result = import_channels_file(store, path)  # "instagram name" hints the platform
    assert result.summary() == (
        "4 new, 0 updated, 0 unchanged, 0 rejected; 1 duplicate row in the file (the later row won)"
    )
    rows = (
        store.cursor()
        .execute(
            """
            select c.handle, c.title, c.niches, c.country, s.followers, s.avg_engagement
            from channels c join snapshots s on s.channel_id = c.id
            where c.platform = 'instagram' order by c.handle
            """
        )
        .fetchall()
    )
    assert rows == [
        ("kevinhart4real", "Kevin Hart", ["Cinema & Actors/actresses"], "United States",
         160_800_000, 45_200.0),
        ("leomessi", "Leo Messi", ["sport", "parenting"], "Argentina",
         409_812_345, 23_412_345.0),
        ("neymarjr", "NJ 🇧🇷", ["sport"], "Brazil", 198_900_000, 9_500_000.0),
        ("someone_quiet", None, [], "India", 1_234_567, 1_100.0),
    ]  # fmt: skip


def test_facebook_twin_keys_on_the_id_not_the_repeated_name(store, tmp_path: Path) -> None:
    path = _write(tmp_path, "facebook_twin.csv", FACEBOOK)
    result = import_channels_file(store, path, platform="facebook")
    assert result.summary() == "4 new, 0 updated, 0 unchanged, 0 rejected"
    rows = (
        store.cursor()
        .execute("select handle, title, kind, niches from channels order by handle")
        .fetchall()
    )
    assert rows == [
        ("144761358898518", "Cognac Hennessy", "public_page", ["company"]),
        ("145647315578475", "The Voice of China 中国好声音", "public_page", ["tvshow"]),
        ("191483281412", "U.S. Consulate General Mumbai", "public_page", ["government"]),
        ("568700043198473", "Cognac Hennessy", "public_page", ["company"]),
    ]
