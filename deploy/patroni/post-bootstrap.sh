#!/bin/sh
# Run by Patroni once, on the node that bootstraps the cluster, with a
# superuser connection string as $1: the User Service's login role and its
# database (what the local platform's ensureRoleAndDatabase does). The names
# and the password come from USER_DB_* (compose.yaml); psql quotes them.
set -eu
/usr/lib/postgresql/15/bin/psql "$1" -v ON_ERROR_STOP=1 \
  -v app_user="$USER_DB_USER" -v app_password="$USER_DB_PASSWORD" -v app_db="$USER_DB_NAME" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'app_user', :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'app_db', :'app_user')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'app_db') \gexec
SQL
