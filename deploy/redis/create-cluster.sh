#!/bin/sh
# One-shot job: forms the Redis Cluster (3 masters, 1 replica each) from the
# nodes named as arguments, unless it is formed already (a re-run after
# `docker compose up` again, when nodes.conf on the volumes kept it). Exits 0
# once all 16384 slots are served, so services can depend on it.
set -eu
first="$1"
state() { redis-cli -h "$first" cluster info | tr -d '\r' | sed -n 's/^cluster_state://p'; }
known() { redis-cli -h "$first" cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p'; }
if [ "$(known)" -le 1 ]; then
  # redis-cli --cluster create wants addresses; the nodes announce their names to clients (cluster.conf).
  addresses=""
  for node in "$@"; do
    ip="$(getent hosts "$node" | awk '{ print $1 }')"
    addresses="$addresses $ip:6379"
  done
  # shellcheck disable=SC2086
  redis-cli --cluster create $addresses --cluster-replicas 1 --cluster-yes
fi
for _ in $(seq 1 60); do
  if [ "$(state)" = "ok" ]; then
    echo "redis cluster: ok ($(known) nodes)"
    exit 0
  fi
  sleep 1
done
echo "redis cluster did not reach cluster_state:ok" >&2
exit 1
