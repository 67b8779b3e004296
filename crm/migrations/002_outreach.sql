-- Outreach and pricing: campaigns, the workspace's pipeline stages, shortlists, the event log
-- (stage changes and activities), message templates; exchange rates; prices may belong to a
-- campaign (what was quoted, agreed or paid in it).
create sequence campaigns_id_seq start 1;
create table campaigns (
    id              bigint primary key default nextval('campaigns_id_seq'),
    name            varchar not null,
    brand           varchar,
    goal            varchar not null default 'reach',
    budget          decimal(18, 2),
    currency        varchar not null default 'RUB',
    starts_on       date,
    ends_on         date,
    audience_notes  varchar,
    status          varchar not null default 'active',
    version         integer not null default 1,
    created_at      timestamp not null default current_timestamp,
    updated_at      timestamp not null default current_timestamp
);
create unique index campaigns_name_idx on campaigns (lower(name));

create table stages (
    key       varchar primary key,
    label     varchar not null,
    position  integer not null,
    closing   boolean not null default false,
    version   integer not null default 1
);
insert into stages (key, label, position, closing) values
    ('prospect', 'Prospect', 1, false),
    ('shortlisted', 'Shortlisted', 2, false),
    ('contacted', 'Contacted', 3, false),
    ('replied', 'Replied', 4, false),
    ('negotiating', 'Negotiating', 5, false),
    ('agreed', 'Agreed', 6, false),
    ('scheduled', 'Scheduled', 7, false),
    ('published', 'Published', 8, false),
    ('reported', 'Reported', 9, false),
    ('paid', 'Paid', 10, false),
    ('declined', 'Declined', 11, true),
    ('no_response', 'No response', 12, true);

create sequence shortlist_id_seq start 1;
create table shortlist (
    id              bigint primary key default nextval('shortlist_id_seq'),
    campaign_id     bigint not null,
    channel_id      bigint not null,
    stage           varchar not null default 'shortlisted',
    priority        varchar not null default 'normal',
    manager         varchar,
    next_follow_up  date,
    notes           varchar,
    stage_since     timestamp not null default current_timestamp,
    version         integer not null default 1,
    created_at      timestamp not null default current_timestamp,
    updated_at      timestamp not null default current_timestamp,
    unique (campaign_id, channel_id)
);
create index shortlist_stage_idx on shortlist (stage);
create index shortlist_channel_idx on shortlist (channel_id);

create sequence events_id_seq start 1;
create table events (
    id          bigint primary key default nextval('events_id_seq'),
    campaign_id bigint not null,
    channel_id  bigint not null,
    occurred_at timestamp not null,
    type        varchar not null,
    stage_from  varchar,
    stage_to    varchar,
    author      varchar,
    text        varchar,
    created_at  timestamp not null default current_timestamp
);
create index events_entry_idx on events (campaign_id, channel_id, occurred_at);

create sequence templates_id_seq start 1;
create table templates (
    id          bigint primary key default nextval('templates_id_seq'),
    name        varchar not null,
    language    varchar not null default 'ru',
    subject     varchar,
    body        varchar not null,
    version     integer not null default 1,
    created_at  timestamp not null default current_timestamp,
    updated_at  timestamp not null default current_timestamp
);

create table rates (
    currency    varchar not null,
    date        date not null,
    rate        decimal(20, 8) not null,
    source      varchar,
    created_at  timestamp not null default current_timestamp,
    primary key (currency, date)
);

alter table prices add column campaign_id bigint;
