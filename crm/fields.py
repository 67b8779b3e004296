"""Field names shared by imports, exports and the registry (DESIGN.md, "Field names")."""

# channels: import mapping targets and export columns, in this order
CHANNEL_FIELDS = (
    "platform", "handle", "url", "title", "kind", "owner", "niche", "country", "city",
    "language", "email", "telegram", "phone", "tags", "notes", "followers", "avg_reach",
    "avg_views", "avg_engagement", "avg_likes", "avg_comments", "avg_shares", "measured_on",
    "er", "err",
)  # fmt: skip

# the measured numbers a metric snapshot holds
SNAPSHOT_METRICS = (
    "followers", "avg_reach", "avg_views", "avg_engagement",
    "avg_likes", "avg_comments", "avg_shares",
)  # fmt: skip
