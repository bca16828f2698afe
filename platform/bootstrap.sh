#!/usr/bin/env bash
# Installs what the local platform needs, idempotently, and fast (<2 s) when
# nothing is missing: (a) Debian packages for PostgreSQL 15, Patroni, etcd,
# Redis, HAProxy and Chromium; (b) the FerretDB launcher, built with Go into
# the cache folder; (c) the npm dependencies at the repository root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${ETICKET_CACHE_DIR:-$HOME/.cache/e-ticket}"
LAUNCHER="$CACHE_DIR/bin/ferretdb-launcher"
PG_BIN="${ETICKET_PG_BIN_DIR:-/usr/lib/postgresql/15/bin}"
PACKAGES=(postgresql-15 redis-server redis-sentinel etcd-server etcd-client patroni haproxy chromium maven openjdk-17-jdk-headless)
EXTERNAL_HINT="or point the platform at external servers instead: USER_DB_WRITE_URL (+ USER_DB_READ_URL), ETCD_ENDPOINTS, REDIS_CLUSTER_NODES, WAREHOUSE_DB_URL, ORDER_MONGO_URL"

step() { printf '[bootstrap] %s\n' "$*"; }
has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }

# --- (a) system packages ----------------------------------------------------
# A component given as an external server does not need its binaries.
missing=()
need() { if ! has "$1"; then missing+=("$1"); fi; }
if [ -z "${USER_DB_WRITE_URL:-}" ] || [ -z "${WAREHOUSE_DB_URL:-}" ]; then
  [ -x "$PG_BIN/postgres" ] || missing+=("$PG_BIN/postgres")
fi
[ -n "${USER_DB_WRITE_URL:-}" ] || { need patroni; need haproxy; }
[ -n "${ETCD_ENDPOINTS:-}" ] || need etcd
[ -n "${REDIS_CLUSTER_NODES:-}" ] || { need redis-server; need redis-cli; }
need redis-sentinel
need chromium
# The local search server (OpenSearch jars from Maven Central, a small Java launcher): up --with-search, test/observability.
need mvn
need javac

stop_autostarted_services() {
  # Debian starts postgresql/redis/etcd on their default ports after install
  # when an init system runs; they would only get in the way.
  if [ -d /run/systemd/system ] && has systemctl; then
    for unit in postgresql redis-server redis-sentinel etcd haproxy; do
      systemctl disable --now "$unit" >/dev/null 2>&1 || true
    done
  fi
  if has pg_lsclusters; then
    pg_lsclusters --no-header 2>/dev/null | awk '$4 == "online" { print $1, $2 }' | while read -r ver name; do
      step "stopping Debian's auto-started PostgreSQL cluster $ver/$name"
      pg_ctlcluster "$ver" "$name" stop || true
    done
  fi
  for svc in redis-server redis-sentinel etcd haproxy; do
    if [ -x "/etc/init.d/$svc" ] && service "$svc" status >/dev/null 2>&1; then
      step "stopping auto-started $svc"
      service "$svc" stop >/dev/null 2>&1 || true
    fi
  done
}

if [ ${#missing[@]} -eq 0 ]; then
  step "system packages: present"
else
  step "system packages: missing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ] || ! has apt-get; then
    echo "[bootstrap] cannot install (need root and apt-get). Missing: ${missing[*]}" >&2
    echo "[bootstrap] install: apt-get install ${PACKAGES[*]}" >&2
    echo "[bootstrap] $EXTERNAL_HINT" >&2
    exit 1
  fi
  # While installing, tell invoke-rc.d not to start any service (exit 101 =
  # "action forbidden"), unless the machine already has such a policy.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
  fi
  cleanup_policy() { if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi; }
  trap cleanup_policy EXIT
  step "apt-get update"
  if ! apt-get update -qq; then
    echo "[bootstrap] apt-get update failed (no network?). Missing: ${missing[*]}" >&2
    echo "[bootstrap] $EXTERNAL_HINT" >&2
    exit 1
  fi
  step "apt-get install ${PACKAGES[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${PACKAGES[@]}" >/dev/null; then
    echo "[bootstrap] apt-get install failed. Missing: ${missing[*]}" >&2
    echo "[bootstrap] $EXTERNAL_HINT" >&2
    exit 1
  fi
  cleanup_policy
  trap - EXIT
  stop_autostarted_services
  step "system packages: installed"
fi

# --- (b) FerretDB launcher ----------------------------------------------------
if [ -n "${ORDER_MONGO_URL:-}" ]; then
  step "ferretdb launcher: skipped (ORDER_MONGO_URL is set)"
else
  src="$ROOT/platform/ferretdb"
  # Content hash rather than mtimes alone: a fresh git checkout makes every
  # source look newer than a launcher that is in fact current.
  sum="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -d' ' -f1)"
  stale=0
  if [ ! -x "$LAUNCHER" ]; then
    stale=1
  elif [ -f "$LAUNCHER.sha256" ]; then
    [ "$(cat "$LAUNCHER.sha256")" = "$sum" ] || stale=1
  else
    for f in main.go go.mod go.sum; do
      if [ "$src/$f" -nt "$LAUNCHER" ]; then stale=1; fi
    done
    [ "$stale" = 1 ] || echo "$sum" >"$LAUNCHER.sha256"
  fi
  if [ "$stale" = 0 ]; then
    step "ferretdb launcher: up to date ($LAUNCHER)"
  else
    GO="$(command -v go || true)"
    if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; fi
    if [ -z "$GO" ]; then
      echo "[bootstrap] Go (>= 1.24, see platform/ferretdb/go.mod) is needed to build the FerretDB launcher." >&2
      echo "[bootstrap] Install it from https://go.dev/dl/ (Debian 12's golang-go is 1.19, too old) and put it on PATH, or set ORDER_MONGO_URL to an external MongoDB." >&2
      exit 1
    fi
    step "ferretdb launcher: building with $("$GO" version | awk '{print $3}') (about 70 s the first time)"
    mkdir -p "$(dirname "$LAUNCHER")"
    (cd "$src" && "$GO" build -o "$LAUNCHER.tmp" . && mv "$LAUNCHER.tmp" "$LAUNCHER")
    echo "$sum" >"$LAUNCHER.sha256"
    step "ferretdb launcher: built ($LAUNCHER)"
  fi
fi

# --- (c) npm dependencies -------------------------------------------------------
if [ ! -d "$ROOT/node_modules" ]; then
  step "npm ci (node_modules missing)"
  (cd "$ROOT" && npm ci --no-audit --no-fund)
elif [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  step "npm install (package-lock.json is newer than node_modules)"
  (cd "$ROOT" && npm install --no-audit --no-fund)
else
  step "npm dependencies: up to date"
fi
