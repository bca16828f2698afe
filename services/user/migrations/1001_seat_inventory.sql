-- Up Migration

-- Seat inventory for the two-phase commit (docs/seat-inventory.md).
--
-- An event's seats live in up to 64 bucket rows. A buyer's prepared
-- transaction claims seats from buckets picked at random with
-- FOR UPDATE SKIP LOCKED, so while one reservation sits PREPAREd (holding
-- its row locks until phase 2) the next buyer simply takes another bucket
-- instead of queueing behind it. The exact figure is the sum of the buckets.
CREATE TABLE seat_buckets (
  event_id  uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  bucket_no smallint NOT NULL CHECK (bucket_no >= 0),
  available integer NOT NULL CHECK (available >= 0),
  PRIMARY KEY (event_id, bucket_no)
);

-- One row per seat-reservation transaction. It is written inside the
-- prepared transaction (state 'committed', visible once COMMIT PREPARED
-- runs), or, for an abort that arrived first, committed at once as a
-- tombstone ('aborted') that makes a late prepare fail on the primary key.
CREATE TABLE reservations (
  transaction_id uuid PRIMARY KEY,
  order_id       uuid,
  event_id       uuid,
  user_id        uuid,
  quantity       integer CHECK (quantity > 0),
  -- Seats taken per bucket, [{"b": bucket_no, "n": seats}], so a release puts them back where they came from.
  allocations    jsonb,
  state          text NOT NULL CHECK (state IN ('committed', 'released', 'aborted')),
  release_reason text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT reservations_complete CHECK (state = 'aborted' OR (order_id IS NOT NULL AND event_id IS NOT NULL AND quantity IS NOT NULL AND allocations IS NOT NULL))
);
CREATE INDEX reservations_event_state_idx ON reservations (event_id, state);

-- Buckets per event: enough for 64 concurrent prepared buyers of one event,
-- few enough that summing them is cheap; never more than the seats.
CREATE FUNCTION seat_bucket_count(seats integer) RETURNS integer
  LANGUAGE sql IMMUTABLE AS $$ SELECT LEAST(64, GREATEST(1, seats)) $$;

CREATE FUNCTION create_seat_buckets(p_event uuid, p_seats integer) RETURNS void
  LANGUAGE sql AS $$
    INSERT INTO seat_buckets (event_id, bucket_no, available)
    SELECT p_event, b, p_seats / seat_bucket_count(p_seats) + CASE WHEN b < p_seats % seat_bucket_count(p_seats) THEN 1 ELSE 0 END
      FROM generate_series(0, seat_bucket_count(p_seats) - 1) AS b
  $$;

CREATE FUNCTION events_create_seat_buckets() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM create_seat_buckets(NEW.id, NEW.available_seats);
  RETURN NULL;
END $$;

-- Every new event gets its buckets in the transaction that creates it.
CREATE TRIGGER events_seat_buckets AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_create_seat_buckets();

SELECT create_seat_buckets(e.id, e.available_seats)
  FROM events e WHERE NOT EXISTS (SELECT 1 FROM seat_buckets b WHERE b.event_id = e.id);

-- The exact number of seats on sale: the sum of the buckets. (events.available_seats
-- is the figure the event was created with; the buckets are the inventory.)
CREATE FUNCTION event_available_seats(p_event uuid) RETURNS integer
  LANGUAGE sql STABLE AS $$ SELECT COALESCE(sum(available), 0)::integer FROM seat_buckets WHERE event_id = p_event $$;

COMMENT ON COLUMN events.available_seats IS 'Seats on sale when the event was created; the live figure is event_available_seats(id), the sum of seat_buckets';

-- Claims p_quantity seats of p_event, bucket by bucket, from buckets nobody
-- else holds locked. One round trip. Outcomes:
--   claimed      allocations says which buckets gave how many;
--   not_enough   fewer seats exist than asked for, even counting those
--                held by other in-flight transactions (available = how many);
--   busy         enough seats exist but some sit in buckets other
--                transactions hold right now: roll back and retry;
--   unknown_event.
CREATE FUNCTION claim_seats(p_event uuid, p_quantity integer)
  RETURNS TABLE (outcome text, allocations jsonb, unit_price_minor bigint, currency text, available integer)
  LANGUAGE plpgsql AS $$
DECLARE
  v_price     bigint;
  v_currency  text;
  v_remaining integer := p_quantity;
  v_allocs    jsonb := '[]'::jsonb;
  v_bucket    smallint;
  v_taken     integer;
  v_left      integer;
BEGIN
  SELECT e.price_minor, e.currency INTO v_price, v_currency FROM events e WHERE e.id = p_event;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown_event'::text, NULL::jsonb, NULL::bigint, NULL::text, NULL::integer;
    RETURN;
  END IF;
  WHILE v_remaining > 0 LOOP
    -- Two statements on purpose: as a subquery of the UPDATE, a random pick
    -- can be re-evaluated per joined row and lock more than one bucket.
    SELECT s.bucket_no, s.available INTO v_bucket, v_taken FROM seat_buckets s
     WHERE s.event_id = p_event AND s.available > 0
     ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED;
    EXIT WHEN NOT FOUND;
    v_taken := LEAST(v_taken, v_remaining);
    UPDATE seat_buckets s SET available = s.available - v_taken WHERE s.event_id = p_event AND s.bucket_no = v_bucket;
    v_allocs := v_allocs || jsonb_build_object('b', v_bucket, 'n', v_taken);
    v_remaining := v_remaining - v_taken;
  END LOOP;
  IF v_remaining = 0 THEN
    RETURN QUERY SELECT 'claimed'::text, v_allocs, v_price, v_currency::text, NULL::integer;
    RETURN;
  END IF;
  -- What this transaction took itself still counts as available.
  SELECT COALESCE(sum(s.available), 0)::integer + (p_quantity - v_remaining) INTO v_left FROM seat_buckets s WHERE s.event_id = p_event;
  RETURN QUERY SELECT CASE WHEN v_left < p_quantity THEN 'not_enough' ELSE 'busy' END, NULL::jsonb, v_price, v_currency::text, v_left;
END $$;

-- Down Migration
DROP FUNCTION claim_seats(uuid, integer);
COMMENT ON COLUMN events.available_seats IS NULL;
DROP FUNCTION event_available_seats(uuid);
DROP TRIGGER events_seat_buckets ON events;
DROP FUNCTION events_create_seat_buckets();
DROP FUNCTION create_seat_buckets(uuid, integer);
DROP FUNCTION seat_bucket_count(integer);
DROP TABLE reservations;
DROP TABLE seat_buckets;
