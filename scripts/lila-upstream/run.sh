#!/bin/sh
# Runs lila's own API tests, unchanged, against Cairn (issue 13).
#   scripts/lila-upstream/run.sh LILA_CHECKOUT [pytest args...]
# LILA_CHECKOUT: a checkout of lila (github.com/nix-community/lila); its web/test_api.py and,
# when present, web/tests/test_api.py (with tests/fixtures) are copied next to this folder's
# stand-ins for FastAPI's TestClient, SQLAlchemy, alembic and lila's `web` package, which send
# every request to a real Cairn server (`java -jar target/cairn.jar serve`, a fresh data
# directory per test; CAIRN_JAR overrides the jar). Needs python3 with pytest and requests.
# Build the jar first: mvn -B -q package -DskipTests
set -eu
here=$(cd "$(dirname "$0")" && pwd)
lila=$(cd "$1" && pwd)
shift
export CAIRN_JAR="${CAIRN_JAR:-$(cd "$here/../.." && pwd)/target/cairn.jar}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/web"
cp "$here"/web/*.py "$work/web/"
files=""
if [ -f "$lila/web/test_api.py" ]; then
  cp "$lila/web/test_api.py" "$work/web/test_api.py"
  files="$files web/test_api.py"
fi
if [ -f "$lila/web/tests/test_api.py" ]; then
  mkdir -p "$work/web/tests"
  cp -r "$lila/web/tests/." "$work/web/tests/"
  files="$files web/tests/test_api.py"
fi
cd "$work"
PYTHONPATH="$here/shim:$work" python3 -m pytest -p no:cacheprovider -q $files "$@"
