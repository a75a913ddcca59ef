#!/usr/bin/env bash
# npm start: everything on one machine, no Docker. Installs dependencies when missing, makes sure
# PostgreSQL, Redis and a Temporal dev server answer (starting private ones when they do not),
# builds, migrates and runs the API and the worker in one process.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

npx tsx scripts/stack.ts up
set -a
# shellcheck disable=SC1091
. .data/stack.env
set +a

npm run --silent build
export TEMPORAL_WORKFLOW_BUNDLE="${TEMPORAL_WORKFLOW_BUNDLE:-$PWD/dist/workflow-bundle.js}"
echo "Temporal UI (read only): http://127.0.0.1:${TEMPORAL_UI_PORT:-8233}   API: http://127.0.0.1:${PORT:-3000}"
exec node dist/src/main/all.js
