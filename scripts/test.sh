#!/usr/bin/env bash
# The test command: installs what the tests drive for real (Nix, runc, FUSE, skopeo,
# umoci, Python gRPC, b3sum, Chromium, busybox), makes sure PostgreSQL listens on
# 127.0.0.1:5432, then runs the whole Maven build with its tests.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(nix-bin runc fuse3 libfuse2 skopeo umoci python3-grpcio python3-grpc-tools b3sum busybox-static chromium
          postgresql maven openjdk-17-jdk-headless curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pg_ready() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_ready; then
  echo "test.sh: starting PostgreSQL"
  cluster=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main start || pg_ctlcluster "$cluster" main start
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  pg_ready || { echo "test.sh: PostgreSQL does not listen on 127.0.0.1:5432" >&2; exit 1; }
fi
# Tests connect as postgres over TCP with trust auth (the machine's default); make sure
# that role can log in without a password from loopback.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1 && [ -z "${CAIRN_TEST_PG_URL:-}" ]; then
  # A PostgreSQL this script installed has Debian's password rules: let the throwaway test
  # databases be reached from loopback without one, as on the machines the tests run on.
  cluster=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$cluster/main/pg_hba.conf
  if [ -w "$hba" ] && ! grep -q "cairn-tests" "$hba"; then
    echo "test.sh: allowing trust auth from 127.0.0.1 in $hba"
    sed -i '1i host all all 127.0.0.1/32 trust # cairn-tests\nhost all all ::1/128 trust # cairn-tests' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main reload 2>/dev/null || pg_ctlcluster "$cluster" main reload
    sleep 1
  fi
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  echo "test.sh: PostgreSQL at 127.0.0.1:5432 does not accept user postgres without a password;" \
       "set CAIRN_TEST_PG_URL=postgresql://user:password@127.0.0.1:5432/postgres" >&2
  [ -n "${CAIRN_TEST_PG_URL:-}" ] || exit 1
fi

exec mvn -B verify "$@"
