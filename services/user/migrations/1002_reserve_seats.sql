-- Up Migration

-- One round trip for the whole claim: seats from the buckets (claim_seats)
-- and the reservation row, so a prepare is BEGIN, this, PREPARE TRANSACTION.
-- A reservation row that already exists (an abort's tombstone, or the same
-- transaction prepared by a retried call) makes the INSERT fail with
-- unique_violation, or lock_not_available while that other transaction is
-- still prepared: the caller tells the two apart. The lock timeout is the
-- function's own so a retried prepare never waits for phase 2 of the first.
CREATE FUNCTION reserve_seats(p_tx uuid, p_order uuid, p_event uuid, p_user uuid, p_quantity integer)
  RETURNS TABLE (outcome text, unit_price_minor bigint, currency text, available integer)
  LANGUAGE plpgsql
  SET lock_timeout = '1s'
  AS $$
DECLARE
  c record;
BEGIN
  SELECT * INTO c FROM claim_seats(p_event, p_quantity);
  IF c.outcome = 'claimed' THEN
    INSERT INTO reservations (transaction_id, order_id, event_id, user_id, quantity, allocations, state)
    VALUES (p_tx, p_order, p_event, p_user, p_quantity, c.allocations, 'committed');
  END IF;
  RETURN QUERY SELECT c.outcome, c.unit_price_minor, c.currency::text, c.available;
END $$;

-- Down Migration
DROP FUNCTION reserve_seats(uuid, uuid, uuid, uuid, integer);
