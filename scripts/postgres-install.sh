#!/usr/bin/env bash
# Installs the PostgreSQL server binaries the store tests start a throwaway cluster from
# (test/support/postgres.ts looks in /usr/lib/postgresql/<version>/bin). Debian/Ubuntu, as root
# or with sudo; CI runs it before `npm test`. Idempotent.
set -euo pipefail
if compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null; then
  echo "PostgreSQL already installed: $(ls -d /usr/lib/postgresql/*/bin | tr '\n' ' ')"
  exit 0
fi
SUDO=''
if [ "$(id -u)" -ne 0 ]; then SUDO='sudo'; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql
ls -d /usr/lib/postgresql/*/bin
