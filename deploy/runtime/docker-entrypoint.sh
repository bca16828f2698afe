#!/bin/sh
# Every replica of a service gets the same environment from Compose, but its
# registration in etcd needs a name of its own: default SERVICE_INSTANCE to
# <service>-<container hostname> (the short container id, which Docker's DNS
# also resolves, so the address the instance advertises is reachable).
set -eu
if [ -z "${SERVICE_INSTANCE:-}" ]; then
  SERVICE_INSTANCE="${ETICKET_SERVICE}-$(cat /etc/hostname)"
  export SERVICE_INSTANCE
fi
exec node --enable-source-maps "$@"
