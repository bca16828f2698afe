-- Up Migration

-- Trigram indexes serve `ILIKE '%text%'` searches (pg_trgm is a trusted
-- extension: the database owner may create it without superuser rights).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Venues are their own entity, as in the seed (a venue has an id), so the
-- capacity that bounds an event's seats belongs to the place, not the event.
-- An identical (name, location, capacity) is reused rather than duplicated.
CREATE TABLE venues (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL,
  location   text NOT NULL,
  capacity   integer NOT NULL CHECK (capacity > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT venues_identity UNIQUE (name, location, capacity)
);

-- available_seats lives on the row for now; the seat inventory for the
-- two-phase commit builds on it (migrations 1001_ and later).
CREATE TABLE events (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organizer_id    uuid NOT NULL REFERENCES users (id),
  venue_id        uuid NOT NULL REFERENCES venues (id),
  name            text NOT NULL,
  description     text NOT NULL DEFAULT '',
  date_time       timestamptz NOT NULL,
  total_seats     integer NOT NULL CHECK (total_seats > 0),
  available_seats integer NOT NULL,
  price_minor     bigint NOT NULL CHECK (price_minor >= 0),
  currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_available_within_total CHECK (available_seats BETWEEN 0 AND total_seats)
);
-- Listing is by start time (ties by id, for stable pages), filtered by range.
CREATE INDEX events_date_time_idx ON events (date_time, id);
CREATE INDEX events_organizer_idx ON events (organizer_id);
-- The text filter matches this exact expression, so the planner can use the index.
CREATE INDEX events_text_trgm_idx ON events USING gin ((name || ' ' || description) gin_trgm_ops);

-- Down Migration
DROP TABLE events;
DROP TABLE venues;
