#!/usr/bin/env bash
# The vault's development cluster: a single-node Ceph RGW (S3 with Object Lock) and a
# PostgreSQL server, both inside DIR (docs/vault.md "Development cluster").
#
#   scripts/vault-dev.sh start DIR   # prints QUZHENG_VAULT_* settings: eval "$(… start DIR)"
#   scripts/vault-dev.sh stop DIR    # stops every daemon cleanly; the data stays in DIR
#
# Needs Debian's ceph-mon ceph-osd radosgw ceph-common postgresql (scripts/bootstrap.sh
# installs them). As root, PostgreSQL runs as the postgres user: DIR must be reachable by it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
py="$root/.venv/bin/python"
[[ -x $py ]] || py=python3
cd "$root"
exec "$py" -m app.vault.devcluster "$@"
