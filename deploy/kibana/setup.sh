#!/bin/sh
# One-shot job (curl image): waits for Kibana, then imports the data view and
# the dashboard (eticket.ndjson, made by dashboard.ts). overwrite=true: running
# it again replaces them with this version. Fails (non-zero) unless Kibana
# reports every object imported.
set -eu
kibana="${KIBANA_URL:-http://kibana:5601}"
for _ in $(seq 1 120); do
  if curl -fsS "$kibana/api/status" 2>/dev/null | grep -q '"level":"available"'; then break; fi
  sleep 5
done
answer="$(curl -sS -X POST "$kibana/api/saved_objects/_import?overwrite=true" -H 'kbn-xsrf: eticket-setup' --form file=@/setup/eticket.ndjson)"
echo "$answer"
echo "$answer" | grep -q '"success":true'
echo "Kibana: data view eticket-logs-* and dashboard 'E-Ticket overview' imported ($kibana/app/dashboards#/view/eticket-overview)"
