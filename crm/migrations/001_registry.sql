-- Registry: owners, channels, metric snapshots; and listed prices taken from imports.
create sequence owners_id_seq start 1;
create table owners (
    id          bigint primary key default nextval('owners_id_seq'),
    name        varchar not null,
    email       varchar,
    telegram    varchar,
    phone       varchar,
    other_contact varchar,
    notes       varchar,
    version     integer not null default 1,
    created_at  timestamp not null default current_timestamp,
    updated_at  timestamp not null default current_timestamp
);

create sequence channels_id_seq start 1;
create table channels (
    id          bigint primary key default nextval('channels_id_seq'),
    platform    varchar not null,
    handle      varchar not null,
    url         varchar,
    title       varchar,
    kind        varchar not null default 'person',
    owner_id    bigint,
    niches      varchar[] not null default [],
    country     varchar,
    city        varchar,
    language    varchar,
    email       varchar,
    telegram    varchar,
    phone       varchar,
    tags        varchar[] not null default [],
    notes       varchar,
    archived    boolean not null default false,
    version     integer not null default 1,
    created_at  timestamp not null default current_timestamp,
    updated_at  timestamp not null default current_timestamp,
    unique (platform, handle)
);

create sequence snapshots_id_seq start 1;
create table snapshots (
    id              bigint primary key default nextval('snapshots_id_seq'),
    channel_id      bigint not null,
    measured_on     date not null,
    followers       bigint,
    avg_reach       double,
    avg_views       double,
    avg_engagement  double,
    avg_likes       double,
    avg_comments    double,
    avg_shares      double,
    provenance      varchar not null default 'manual',
    source          varchar,
    created_at      timestamp not null default current_timestamp
);
create index snapshots_channel_idx on snapshots (channel_id, measured_on);

create sequence prices_id_seq start 1;
create table prices (
    id          bigint primary key default nextval('prices_id_seq'),
    channel_id  bigint not null,
    format      varchar not null default 'post',
    kind        varchar not null default 'listed',
    amount      decimal(18, 2) not null,
    currency    varchar not null,
    date        date not null,
    source      varchar,
    note        varchar,
    created_at  timestamp not null default current_timestamp
);
create index prices_channel_idx on prices (channel_id);

create table workspace (
    key   varchar primary key,
    value varchar
);
