-- Audience: each channel's member list, kept as compressed bitmaps partitioned by member-id
-- range, the history of the lists loaded, the per-platform member dictionary, and manual
-- quality scores. Member ids in the bitmaps are dense per platform (the dictionary `members`
-- maps a platform's user id or username to them in order of first sight): dense ids keep the
-- bitmaps compact and fast whatever the platform's own ids look like (Telegram's exceed 2^32).
-- Shard = dense id >> 24; the shard's bitmap holds the id's low 24 bits.
-- Overlap, unions and marginal gains are computed in memory from the bitmaps (crm.audience).
-- No primary keys here: a list is replaced by delete + insert in one transaction, which DuckDB's
-- eager unique checks refuse for the same key; the one writer (crm.audience.lists) keeps them
-- unique.
create table audiences (
    channel_id  bigint not null,
    size        bigint not null,
    id_kind     varchar not null,          -- 'number' (user ids) or 'text' (usernames)
    source      varchar,                   -- the file's name
    loaded_at   timestamp not null default current_timestamp,
    loaded_by   varchar,
    version     integer not null default 1
);
create index audiences_channel_idx on audiences (channel_id);

create table audience_shards (
    channel_id  bigint not null,
    shard       bigint not null,           -- dense member id >> 24
    size        bigint not null,
    members     blob not null              -- pyroaring BitMap.serialize() of the ids' low 24 bits
);
create index audience_shards_channel_idx on audience_shards (channel_id);

create sequence audience_loads_id_seq start 1;
create table audience_loads (
    id          bigint primary key default nextval('audience_loads_id_seq'),
    channel_id  bigint not null,
    loaded_at   timestamp not null default current_timestamp,
    source      varchar,
    size        bigint not null,
    id_kind     varchar not null,
    dropped_duplicates bigint not null default 0,
    loaded_by   varchar
);
create index audience_loads_channel_idx on audience_loads (channel_id);

-- the member dictionary: a platform's user id (number) or username (key, lower case) -> dense id
-- (0, 1, 2 … per platform). Exactly one of number and key is set. Insert-only; unique per
-- (platform, number) and (platform, key) by its one writer (no index: loading ten million ids
-- would pay for two ART indexes).
create table members (
    platform    varchar not null,
    number      bigint,
    key         varchar,
    id          bigint not null
);

create table quality_overrides (
    channel_id  bigint not null,
    score       integer not null check (score between 0 and 100),
    note        varchar not null,
    author      varchar,
    set_at      timestamp not null default current_timestamp,
    version     integer not null default 1
);
create index quality_overrides_channel_idx on quality_overrides (channel_id);
