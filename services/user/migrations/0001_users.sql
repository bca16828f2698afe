-- Up Migration

-- Accounts. The email is stored normalised (trimmed, lower case) so a plain
-- unique index makes it unique case-insensitively. Roles are a small closed
-- set kept on the row: every request needs them together with the user.
CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL,
  password_hash text NOT NULL,
  roles         text[] NOT NULL DEFAULT ARRAY['buyer']::text[],
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email)) AND length(email) BETWEEN 3 AND 254),
  CONSTRAINT users_roles_known CHECK (roles <@ ARRAY['buyer', 'organizer', 'admin']::text[] AND cardinality(roles) >= 1)
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_created_at_idx ON users (created_at, id);

-- Login throttling per (email, client address), shared by every instance.
-- Rows exist for unknown emails too, so throttling does not reveal accounts.
CREATE TABLE login_throttle (
  email           text NOT NULL,
  client_ip       text NOT NULL,
  attempts        integer NOT NULL CHECK (attempts >= 0),
  last_attempt_at timestamptz NOT NULL,
  locked_until    timestamptz,
  PRIMARY KEY (email, client_ip)
);
CREATE INDEX login_throttle_last_attempt_idx ON login_throttle (last_attempt_at);

-- Down Migration
DROP TABLE login_throttle;
DROP TABLE users;
