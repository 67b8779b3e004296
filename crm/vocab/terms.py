"""The project's closed vocabularies (DESIGN.md, "Vocabulary"): each code with its label."""

from __future__ import annotations

KIND_LABELS = {"person": "Blogger", "public_page": "Public page"}
KINDS = tuple(KIND_LABELS)
# what files call a person or a public page
KIND_ALIASES = {
    "person": "person",
    "blogger": "person",
    "блогер": "person",
    "блоггер": "person",
    "человек": "person",
    "author": "person",
    "автор": "person",
    "creator": "person",
    "influencer": "person",
    "инфлюенсер": "person",
    "personal": "person",
    "public_page": "public_page",
    "public": "public_page",
    "page": "public_page",
    "паблик": "public_page",
    "сообщество": "public_page",
    "группа": "public_page",
    "community": "public_page",
    "group": "public_page",
    "страница": "public_page",
}

PROVENANCE_LABELS = {
    "platform_api": "Platform API",
    "platform_stats": "Platform statistics",
    "screenshot": "Screenshot",
    "shop_analytics": "Shop analytics",
    "utm_analytics": "UTM analytics",
    "estimate": "Estimate",
    "manual": "Entered by hand",
}
PROVENANCES = tuple(PROVENANCE_LABELS)

FORMAT_LABELS = {
    "post": "Post",
    "story": "Story",
    "reel": "Reel",
    "video_integration": "Video integration",
    "dedicated_video": "Dedicated video",
    "1/24": "1/24 (top for 1 hour, 24 in feed)",
    "2/48": "2/48",
    "3/72": "3/72",
    "native": "Native",
    "pinned": "Pinned",
    "repost": "Repost",
    "live": "Live",
    "other": "Other",
}
FORMATS = tuple(FORMAT_LABELS)
# what files call a format (keys as the normaliser sees them: lower case, spaces as "_")
FORMAT_ALIASES = {
    **{f: f for f in FORMATS},
    "пост": "post",
    "публикация": "post",
    "stories": "story",
    "сторис": "story",
    "reels": "reel",
    "рилс": "reel",
    "integration": "video_integration",
    "интеграция": "video_integration",
    "dedicated": "dedicated_video",
    "нативка": "native",
    "нативная_реклама": "native",
    "закреп": "pinned",
    "репост": "repost",
    "эфир": "live",
    "другое": "other",
}

PRICE_KIND_LABELS = {"listed": "Listed", "quoted": "Quoted", "agreed": "Agreed", "paid": "Paid"}
PRICE_KINDS = tuple(PRICE_KIND_LABELS)
PRICE_KIND_ALIASES = {
    **{k: k for k in PRICE_KINDS},
    "list": "listed",
    "прайс": "listed",
    "quote": "quoted",
    "запрос": "quoted",
    "agreed_price": "agreed",
    "согласовано": "agreed",
    "оплачено": "paid",
}

CONTENT_TYPE_LABELS = {
    "provocation": "Provocation",
    "instruction": "Instruction",
    "medal": "Medal (something to show off)",
    "humor": "Humor",
    "giveaway": "Giveaway",
    "review": "Review",
    "announcement": "Announcement",
    "other": "Other",
}
CONTENT_TYPES = tuple(CONTENT_TYPE_LABELS)
# what files call a content type (keys as the normaliser sees them: lower case, spaces as "_")
CONTENT_TYPE_ALIASES = {
    **{c: c for c in CONTENT_TYPES},
    "provocative": "provocation",
    "провокация": "provocation",
    "how_to": "instruction",
    "howto": "instruction",
    "tutorial": "instruction",
    "guide": "instruction",
    "инструкция": "instruction",
    "гайд": "instruction",
    "обучение": "instruction",
    "медаль": "medal",
    "humour": "humor",
    "funny": "humor",
    "юмор": "humor",
    "мем": "humor",
    "contest": "giveaway",
    "розыгрыш": "giveaway",
    "конкурс": "giveaway",
    "обзор": "review",
    "отзыв": "review",
    "announce": "announcement",
    "анонс": "announcement",
    "новость": "announcement",
    "другое": "other",
}

# a placement's life: planned, then published (its date and time known), or called off
PLACEMENT_STATUS_LABELS = {
    "planned": "Planned",
    "published": "Published",
    "cancelled": "Cancelled",
}
PLACEMENT_STATUSES = tuple(PLACEMENT_STATUS_LABELS)

STAGES = (
    "prospect", "shortlisted", "contacted", "replied", "negotiating", "agreed", "scheduled",
    "published", "reported", "paid", "declined", "no_response",
)  # fmt: skip
CLOSING_STAGES = ("declined", "no_response")


def label(labels: dict[str, str], code: str | None) -> str:
    """The label of a code for people; an unknown code is shown as it is, None as '—'."""
    if code is None:
        return "—"
    return labels.get(code, code)
