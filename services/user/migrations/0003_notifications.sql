-- Up Migration

-- Notifications other services send through gRPC (Notifications.Send).
-- Stored now; WebSocket delivery marks delivered_at in a later issue.
CREATE TABLE notifications (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind         text NOT NULL,
  message      text NOT NULL,
  order_id     text,
  dedupe_key   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  -- A retried send carries the same key and is stored once (NULL keys never collide).
  CONSTRAINT notifications_dedupe UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);

-- Down Migration
DROP TABLE notifications;
