-- Placements: each paid post with its plan, its price and its measured results (several
-- measurements each, with where the numbers come from), and screenshots kept as evidence.
create sequence placements_id_seq start 1;
create table placements (
    id                  bigint primary key default nextval('placements_id_seq'),
    ref                 varchar,
    campaign_id         bigint,
    channel_id          bigint not null,
    format              varchar not null default 'post',
    content_type        varchar,
    status              varchar not null default 'planned',
    planned_on          date,
    published_at        timestamp,
    post_url            varchar,
    landing_url         varchar,
    utm_url             varchar,
    price_agreed        decimal(18, 2),
    price_paid          decimal(18, 2),
    currency            varchar,
    erid                varchar,
    promo_code          varchar,
    planned_reach       bigint,
    planned_clicks      bigint,
    planned_conversions bigint,
    notes               varchar,
    version             integer not null default 1,
    created_at          timestamp not null default current_timestamp,
    updated_at          timestamp not null default current_timestamp
);
create unique index placements_ref_idx on placements (ref);
create index placements_campaign_idx on placements (campaign_id);
create index placements_channel_idx on placements (channel_id);

create sequence results_id_seq start 1;
create table results (
    id            bigint primary key default nextval('results_id_seq'),
    placement_id  bigint not null,
    measured_at   timestamp not null,
    reach         bigint,
    impressions   bigint,
    views         bigint,
    likes         bigint,
    comments      bigint,
    shares        bigint,
    saves         bigint,
    clicks        bigint,
    conversions   bigint,
    revenue       decimal(18, 2),
    currency      varchar,
    provenance    varchar not null default 'manual',
    source        varchar,
    created_at    timestamp not null default current_timestamp
);
create index results_placement_idx on results (placement_id, measured_at);

create sequence evidence_id_seq start 1;
create table evidence (
    id            bigint primary key default nextval('evidence_id_seq'),
    placement_id  bigint not null,
    result_id     bigint,
    filename      varchar not null,
    mime          varchar not null,
    sha256        varchar not null,
    bytes         blob not null,
    created_at    timestamp not null default current_timestamp
);
create index evidence_placement_idx on evidence (placement_id);
