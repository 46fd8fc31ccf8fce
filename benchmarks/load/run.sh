#!/bin/sh
# The whole load test: a PostgreSQL database, the demo, 50 load accounts, gunicorn with
# 4 workers on the loopback (deploy/gunicorn.conf.py), 60 s of load, then the check that no
# save was lost. Usage: benchmarks/load/run.sh [USERS] [SECONDS]  (from the repository root)
set -eu
USERS=${1:-50}
SECONDS_=${2:-60}
VENV=${VENV:-/work/venv}
PORT=${PORT:-8765}
WORKERS=${WORKERS:-4}
export CONSORTIUM_DATABASE_URL=${CONSORTIUM_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/consortium_load}
export CONSORTIUM_INSTANCE_PATH=${CONSORTIUM_INSTANCE_PATH:-/tmp/consortium-load-instance}
export CONSORTIUM_ENV_NAME=production
export CONSORTIUM_SECRET_KEY=${CONSORTIUM_SECRET_KEY:-load-test-secret-key-0123456789abcdef}

if [ -z "${SKIP_SETUP:-}" ]; then  # SKIP_SETUP=1 reuses the database of a previous run
    dropdb -h 127.0.0.1 -U postgres --if-exists consortium_load
    createdb -h 127.0.0.1 -U postgres consortium_load
    "$VENV/bin/flask" --app consortium db upgrade
    "$VENV/bin/flask" --app consortium setup
    "$VENV/bin/flask" --app consortium demo load
    "$VENV/bin/python" benchmarks/load/loadtest.py setup --users "$USERS"
fi

"$VENV/bin/gunicorn" --config deploy/gunicorn.conf.py --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
    --access-logfile /dev/null "consortium:create_app()" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true' EXIT
until curl -fsS "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1; do sleep 0.5; done

"$VENV/bin/python" benchmarks/load/loadtest.py run --url "http://127.0.0.1:$PORT" \
    --users "$USERS" --duration "$SECONDS_" --output /tmp/consortium-load-report.json
