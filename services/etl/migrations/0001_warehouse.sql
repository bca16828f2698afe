-- Up Migration

-- Three schemas, one per role (docs/architecture.md, "Data warehouse and ETL"):
--   etl      the job's own bookkeeping: runs, watermarks, quarantine;
--   staging  validated source rows as extracted, one table per source, keyed
--            by the source id (the landing area of the seed's diagram);
--   dw       the star schema the reports read.
CREATE SCHEMA etl;
CREATE SCHEMA staging;
CREATE SCHEMA dw;

-- ---------------------------------------------------------------- etl ----

CREATE TABLE etl.runs (
  id               bigserial PRIMARY KEY,
  trigger          text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  -- full: watermarks ignored for this run (everything re-extracted and re-merged).
  mode             text NOT NULL CHECK (mode IN ('incremental', 'full')),
  instance         text NOT NULL,
  -- abandoned: the process died mid-run (found by the next run, which holds the lock).
  status           text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
  started_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  duration_ms      integer,
  rows_extracted   integer NOT NULL DEFAULT 0,
  rows_loaded      integer NOT NULL DEFAULT 0,
  rows_quarantined integer NOT NULL DEFAULT 0,
  -- Rows each warehouse table gained or changed, e.g. {"fact_order": 12}.
  merged           jsonb NOT NULL DEFAULT '{}'::jsonb,
  error            text
);
CREATE INDEX runs_started_idx ON etl.runs (started_at DESC);

-- Per run and source: the window read and what came of it. On a failed run
-- everything was rolled back, so `loaded` is 0 there and `error` names the cause.
CREATE TABLE etl.run_sources (
  run_id      bigint NOT NULL REFERENCES etl.runs (id) ON DELETE CASCADE,
  source      text NOT NULL,
  window_from timestamptz,
  window_to   timestamptz NOT NULL,
  extracted   integer NOT NULL,
  loaded      integer NOT NULL,
  quarantined integer NOT NULL,
  duration_ms integer NOT NULL,
  error       text,
  PRIMARY KEY (run_id, source)
);

-- The high-water mark per source: the greatest (timestamp, id) extracted so
-- far. Moved only forward, in the same transaction as the rows it covers.
CREATE TABLE etl.watermarks (
  source     text PRIMARY KEY,
  last_ts    timestamptz NOT NULL,
  last_id    text NOT NULL,
  run_id     bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Source rows that failed validation: kept whole (raw) with the reason, until
-- a later, valid version of the same key resolves them.
CREATE TABLE etl.quarantine (
  source         text NOT NULL,
  source_key     text NOT NULL,
  reason         text NOT NULL,
  raw            jsonb NOT NULL,
  first_run_id   bigint NOT NULL,
  last_run_id    bigint NOT NULL,
  first_seen_at  timestamptz NOT NULL DEFAULT now(),
  resolved_run_id bigint,
  resolved_at    timestamptz,
  PRIMARY KEY (source, source_key)
);
CREATE INDEX quarantine_open_idx ON etl.quarantine (first_seen_at DESC) WHERE resolved_at IS NULL;

-- ------------------------------------------------------------ staging ----
-- changed_run: the run that last inserted or changed the row. The merges into
-- dw read only the rows of the current run, so an incremental run costs in
-- proportion to what changed. A run's writes commit together, so no row is
-- ever left marked by a run that did not finish.

CREATE TABLE staging.users (
  user_id      uuid PRIMARY KEY,
  -- The domain only: the warehouse needs no personal data (the seed names GDPR).
  email_domain text NOT NULL,
  roles        text[] NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  changed_run  bigint NOT NULL
);
CREATE INDEX staging_users_run_idx ON staging.users (changed_run);

CREATE TABLE staging.events (
  event_id       uuid PRIMARY KEY,
  organizer_id   uuid NOT NULL,
  name           text NOT NULL,
  date_time      timestamptz NOT NULL,
  total_seats    integer NOT NULL,
  price_minor    bigint NOT NULL,
  currency       char(3) NOT NULL,
  created_at     timestamptz NOT NULL,
  venue_id       uuid NOT NULL,
  venue_name     text NOT NULL,
  venue_location text NOT NULL,
  venue_capacity integer NOT NULL,
  changed_run    bigint NOT NULL
);
CREATE INDEX staging_events_run_idx ON staging.events (changed_run);

-- The order service keeps an order as immutable documents (placement,
-- decision, closure; services/order/src/domain/order.ts); they land apart and
-- are joined into one fact row per order.
CREATE TABLE staging.order_placements (
  order_id    uuid PRIMARY KEY,
  user_id     uuid NOT NULL,
  event_id    uuid NOT NULL,
  quantity    integer NOT NULL,
  mode        text NOT NULL,
  created_at  timestamptz NOT NULL,
  changed_run bigint NOT NULL
);
CREATE INDEX staging_placements_run_idx ON staging.order_placements (changed_run);

CREATE TABLE staging.order_decisions (
  order_id         uuid PRIMARY KEY,
  outcome          text NOT NULL,
  decided_by       text NOT NULL,
  decided_at       timestamptz NOT NULL,
  unit_price_minor bigint,
  total_minor      bigint,
  currency         char(3),
  hold_expires_at  timestamptz,
  reason_code      text,
  changed_run      bigint NOT NULL
);
CREATE INDEX staging_decisions_run_idx ON staging.order_decisions (changed_run);

CREATE TABLE staging.order_closures (
  order_id       uuid PRIMARY KEY,
  outcome        text NOT NULL,
  closed_at      timestamptz NOT NULL,
  payment_id     uuid,
  payment_method text,
  changed_run    bigint NOT NULL
);
CREATE INDEX staging_closures_run_idx ON staging.order_closures (changed_run);

CREATE TABLE staging.payments (
  payment_id     uuid PRIMARY KEY,
  order_id       uuid NOT NULL,
  user_id        uuid NOT NULL,
  amount_minor   bigint NOT NULL,
  currency       char(3) NOT NULL,
  method         text NOT NULL,
  status         text NOT NULL,
  failure_reason text,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  changed_run    bigint NOT NULL
);
CREATE INDEX staging_payments_run_idx ON staging.payments (changed_run);
CREATE INDEX staging_payments_order_idx ON staging.payments (order_id);

-- ----------------------------------------------------------------- dw ----
-- Dimensions keyed by the source's own uuid: the sources never reuse or
-- change ids, and a fact can then be merged before its dimension row arrives
-- (a standby lagging behind MongoDB). No foreign keys for the same reason:
-- reports LEFT JOIN, and the next run fills the dimension in.

-- The UTC day of an instant as a dim_date key (yyyymmdd). Declared immutable:
-- the zone is fixed, so the same instant always gives the same key.
CREATE FUNCTION dw.date_key(ts timestamptz) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYYMMDD')::integer $$;

CREATE TABLE dw.dim_date (
  date_key   integer PRIMARY KEY,            -- yyyymmdd, UTC
  date       date NOT NULL UNIQUE,
  year       smallint NOT NULL,
  quarter    smallint NOT NULL,
  month      smallint NOT NULL,
  day        smallint NOT NULL,
  iso_dow    smallint NOT NULL,              -- 1 = Monday
  iso_week   smallint NOT NULL,
  is_weekend boolean NOT NULL
);

CREATE TABLE dw.dim_user (
  user_id            uuid PRIMARY KEY,
  email_domain       text NOT NULL,
  roles              text[] NOT NULL,
  registered_date_key integer NOT NULL,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  loaded_run         bigint NOT NULL
);

CREATE TABLE dw.dim_event (
  event_id       uuid PRIMARY KEY,
  name           text NOT NULL,
  event_date_key integer NOT NULL,
  date_time      timestamptz NOT NULL,
  total_seats    integer NOT NULL,
  price_minor    bigint NOT NULL,
  currency       char(3) NOT NULL,
  organizer_id   uuid NOT NULL,
  venue_id       uuid NOT NULL,
  venue_name     text NOT NULL,
  venue_location text NOT NULL,
  venue_capacity integer NOT NULL,
  created_at     timestamptz NOT NULL,
  loaded_run     bigint NOT NULL
);

-- One row per order (its current state). Amounts in minor units of currency;
-- both are NULL until the order's decision is known.
CREATE TABLE dw.fact_order (
  order_id         uuid PRIMARY KEY,
  user_id          uuid NOT NULL,
  event_id         uuid NOT NULL,
  order_date_key   integer NOT NULL,
  created_at       timestamptz NOT NULL,
  quantity         integer NOT NULL,
  unit_price_minor bigint,
  total_minor      bigint,
  currency         char(3),
  -- preparing | pending_payment | rejected | paid | expired | cancelled, as the order service derives it.
  status           text NOT NULL,
  mode             text NOT NULL,
  decided_at       timestamptz,
  hold_expires_at  timestamptz,
  reject_code      text,
  closed_at        timestamptz,
  closed_date_key  integer,
  payment_id       uuid,
  payment_method   text,
  loaded_run       bigint NOT NULL
);
CREATE INDEX fact_order_event_idx ON dw.fact_order (event_id, status);
CREATE INDEX fact_order_date_idx ON dw.fact_order (order_date_key);
CREATE INDEX fact_order_closed_idx ON dw.fact_order (closed_date_key) WHERE closed_date_key IS NOT NULL;

-- One row per payment attempt.
CREATE TABLE dw.fact_payment (
  payment_id       uuid PRIMARY KEY,
  order_id         uuid NOT NULL,
  user_id          uuid NOT NULL,
  -- From the order's placement; NULL until that has been loaded.
  event_id         uuid,
  payment_date_key integer NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  amount_minor     bigint NOT NULL,
  currency         char(3) NOT NULL,
  method           text NOT NULL,
  status           text NOT NULL,
  failure_reason   text,
  loaded_run       bigint NOT NULL
);
CREATE INDEX fact_payment_date_idx ON dw.fact_payment (payment_date_key, currency);
CREATE INDEX fact_payment_order_idx ON dw.fact_payment (order_id);

-- Down Migration
DROP SCHEMA dw CASCADE;
DROP SCHEMA staging CASCADE;
DROP SCHEMA etl CASCADE;
