-- Up Migration

-- Notifications delivered over WebSocket (docs/notifications.md).
--
-- Each user's notifications are numbered 1, 2, 3, ... with no gaps: a client
-- that reconnects with the last id it saw asks for "id > after" and gets
-- exactly what it missed. The number comes from a per-user counter row that
-- the storing transaction increments; its row lock is held until that
-- transaction commits, so number N+1 is never visible before N is (a reader
-- never skips an id that commits later), and a transaction that rolls back
-- (a deduplicated retry) gives its number back.
CREATE TABLE notification_counters (
  user_id  uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  last_seq bigint NOT NULL CHECK (last_seq >= 0)
);

ALTER TABLE notifications ADD COLUMN seq bigint;
ALTER TABLE notifications ADD COLUMN event_id uuid;

-- Rows stored before this migration get their numbers in the order they were made.
UPDATE notifications n SET seq = numbered.seq
  FROM (SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY created_at, id) AS seq FROM notifications) numbered
 WHERE n.id = numbered.id;
INSERT INTO notification_counters (user_id, last_seq)
  SELECT user_id, max(seq) FROM notifications GROUP BY user_id;

ALTER TABLE notifications ALTER COLUMN seq SET NOT NULL;
-- Also the index of replay and of the REST history: (user, id > after) in id order.
ALTER TABLE notifications ADD CONSTRAINT notifications_user_seq UNIQUE (user_id, seq);
DROP INDEX notifications_user_idx;

-- A user's reminder subscriptions (POST /subscribe/event).
CREATE TABLE event_subscriptions (
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  event_id      uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  subscribed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, event_id)
);
CREATE INDEX event_subscriptions_event_idx ON event_subscriptions (event_id);

-- One row per (subscription, reminder window) whose reminder was sent. The
-- reminder and its claim are written in one transaction and the claim is
-- unique (INSERT ... ON CONFLICT DO NOTHING), so whichever instance gets
-- there first sends it and every other attempt, now or after a restart,
-- finds the claim and sends nothing: exactly once.
CREATE TABLE reminder_claims (
  user_id        uuid NOT NULL,
  event_id       uuid NOT NULL,
  window_seconds integer NOT NULL CHECK (window_seconds > 0),
  claimed_by     text NOT NULL,
  claimed_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, event_id, window_seconds)
);

-- Down Migration
DROP TABLE reminder_claims;
DROP TABLE event_subscriptions;
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
ALTER TABLE notifications DROP CONSTRAINT notifications_user_seq;
ALTER TABLE notifications DROP COLUMN event_id;
ALTER TABLE notifications DROP COLUMN seq;
DROP TABLE notification_counters;
