# Shared by scripts/run, scripts/test and scripts/bench: install what is missing, start a private
# PostgreSQL under target/, build the site. Source it; it changes the working directory to the
# repository root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The cluster scripts/run keeps your data in: PostgreSQL's durable defaults.
PG_NAME=postgres
PG_PORT="${AIDA_PG_PORT:-54329}"
PG_FAST=""
PG_DIR="$ROOT/target/$PG_NAME"
PG_DATA="$PG_DIR/data"
PG_SOCKET="$PG_DIR/run"
PG_USER=aida

# Switches to a cluster of its own for tests and benchmarks, which trades durability for speed
# (fsync and synchronous commit off): nothing in it outlives a run.
use_throwaway_cluster() {
  PG_NAME=postgres-test
  PG_PORT="${AIDA_TEST_PG_PORT:-54330}"
  PG_FAST="-c fsync=off -c synchronous_commit=off"
  PG_DIR="$ROOT/target/$PG_NAME"
  PG_DATA="$PG_DIR/data"
  PG_SOCKET="$PG_DIR/run"
}

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1
  fi
}

apt_install() {
  log "installing $* from apt"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# The wasm-bindgen version the lock file pins; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  local want
  want="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (takes several minutes, once)"
    cargo install wasm-bindgen-cli --version "=$want"
  fi
  export PATH="$ROOT/target/tools/bin:$PATH"
  if [ ! -x target/tools/bin/aida-wasm-split ] \
    || [ -n "$(find scripts/wasm-split/Cargo.* scripts/wasm-split/src -newer target/tools/bin/aida-wasm-split)" ]; then
    log "building the bundle splitter (scripts/wasm-split)"
    cargo install --quiet --locked --path scripts/wasm-split --root target/tools
  fi
}

ensure_npm_tools() {
  if [ ! -x node_modules/.bin/tailwindcss ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing Tailwind and binaryen from npm"
    # Not `npm ci`: registries that list only this platform's Tailwind engine leave the
    # other platforms' optional packages out of the lock file, and `npm ci` refuses that.
    npm install --no-audit --no-fund --loglevel=error
  fi
  export PATH="$ROOT/node_modules/.bin:$PATH"
}

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
  done
}

ensure_postgres_installed() {
  if [ -z "$(pg_bin)" ]; then
    apt_install postgresql
  fi
  PG_BIN="$(pg_bin)"
}

# Runs a PostgreSQL tool as the owner of the cluster (`postgres` when we are root: initdb
# refuses root).
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts (creating on first use) the private cluster; reused by later runs.
start_postgres() {
  ensure_postgres_installed
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then
    # postgres must be able to reach its directory through ours.
    chmod o+x "$ROOT" "$ROOT/target" 2>/dev/null || true
    if ! runuser -u postgres -- test -x "$PG_DIR" 2>/dev/null; then
      # A checkout inside a private directory (such as /root): keep the cluster where the
      # postgres user can reach it, one per checkout.
      PG_DIR="/var/tmp/aida-$PG_NAME-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)"
      PG_DATA="$PG_DIR/data"
      PG_SOCKET="$PG_DIR/run"
      log "the postgres user cannot reach $ROOT/target; using $PG_DIR"
      mkdir -p "$PG_DIR"
    fi
    chown postgres "$PG_DIR"
  fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $PG_DATA"
    pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    pg_as_owner mkdir -p "$PG_SOCKET"
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCKET -c max_connections=300 $PG_FAST" start >/dev/null
  fi
  export PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER="$PG_USER"
}

# Creates database $1 if absent.
ensure_database() {
  if ! "$PG_BIN/psql" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; then
    "$PG_BIN/createdb" "$1"
  fi
}

database_url() { echo "postgres://$PG_USER@127.0.0.1:$PG_PORT/$1"; }

# Builds the browser bundle and styles into target/site. $1: dev or release.
# The bundle is split at its lazy routes (scripts/wasm-split), then bound by wasm-bindgen and,
# for release, each piece shrunk by wasm-opt: the steps `cargo leptos build --split` takes.
build_site() {
  local profile="$1" wasm_dir cargo_profile=()
  if [ "$profile" = release ]; then
    cargo_profile=(--profile wasm-release); wasm_dir=wasm-release
  else
    wasm_dir=debug
  fi
  log "building the browser bundle ($profile)"
  cargo build -p frontend --lib --target wasm32-unknown-unknown "${cargo_profile[@]}"
  local pkg="$ROOT/target/site/pkg" main="$ROOT/target/wasm32-unknown-unknown/$wasm_dir/aida_split.wasm"
  rm -rf "$pkg"
  mkdir -p "$pkg"
  aida-wasm-split "target/wasm32-unknown-unknown/$wasm_dir/frontend.wasm" "$pkg" "$main" aida >/dev/null
  wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
    --out-dir "$pkg" --out-name aida "$main"
  mv "$pkg/aida_bg.wasm" "$pkg/aida.wasm"
  if [ "$profile" = release ]; then
    local wasm
    for wasm in "$pkg"/*.wasm; do
      # (binaryen warns of each chunk's name section, which it drops anyway). The producers and
      # target features sections are of no use to a browser and, repeated in every chunk, cost
      # a page of 66 chunks 9 KB brotli.
      { wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue \
        --strip-producers --strip-target-features "$wasm" -o "$wasm" 2>&1 1>&3 | { grep -v 'unknown name subsection' || true; } >&2; } 3>&1
    done
  fi
  tailwindcss -i style/main.css -o "$pkg/aida.css" --minify 2>/dev/null
  cp -r public/. target/site/
}

ensure_browser_tools() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    log "installing Playwright (no browser download: Debian's Chromium is used)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# An independent reader of the calendar feed for the tests: Python's `icalendar`, pinned, in a
# virtual environment under target/. Tests find it through AIDA_PYTHON.
ensure_python_tools() {
  local venv="$ROOT/target/tools/py" want="icalendar==6.3.1"
  if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3 python3-venv
  fi
  if ! "$venv/bin/python" -c 'import icalendar, sys; sys.exit(icalendar.__version__ != "6.3.1")' 2>/dev/null; then
    log "installing $want for the feed tests"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "$want"
  fi
  export AIDA_PYTHON="$venv/bin/python"
}

# Drops the per-test databases earlier runs left behind.
drop_test_databases() {
  local db
  for db in $("$PG_BIN/psql" -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'aida\_test\_%' OR datname = 'aida_e2e'"); do
    "$PG_BIN/dropdb" --if-exists "$db"
  done
}

# Serves a fresh database on a spare port and runs end2end/ against it.
run_browser_tests() {
  local port="${AIDA_E2E_PORT:-3100}" llm_port="${AIDA_E2E_LLM_PORT:-3101}" server_pid llm_pid status=0
  ensure_database aida_e2e
  export AIDA_E2E_URL="http://127.0.0.1:$port"
  export AIDA_E2E_ADMIN=admin@aida.test AIDA_E2E_PASSWORD=e2e-admin-password
  DATABASE_URL="$(database_url aida_e2e)" target/debug/aida migrate >/dev/null
  DATABASE_URL="$(database_url aida_e2e)" AIDA_ADMIN_PASSWORD="$AIDA_E2E_PASSWORD" \
    target/debug/aida admin create --email "$AIDA_E2E_ADMIN" --name Admin >/dev/null
  # The language model is a local fake that streams OpenAI's wire format.
  node end2end/fake-openai.mjs "$llm_port" >"$ROOT/target/e2e-llm.log" 2>&1 &
  llm_pid=$!
  rm -rf "$ROOT/target/e2e-data"
  DATABASE_URL="$(database_url aida_e2e)" AIDA_ADDR="127.0.0.1:$port" AIDA_SITE_ROOT="$ROOT/target/site" \
    AIDA_LLM_BASE_URL="http://127.0.0.1:$llm_port/v1" AIDA_LLM_API_KEY=e2e-key \
    AIDA_DATA_DIR="$ROOT/target/e2e-data" RETELL_API_KEY=e2e-retell-key \
    target/debug/aida serve >"$ROOT/target/e2e-server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "$AIDA_E2E_URL/health" >/dev/null 2>&1 &&
      curl -fsS "http://127.0.0.1:$llm_port/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
  (cd end2end && npx playwright test) || status=$?
  kill "$server_pid" "$llm_pid" 2>/dev/null || true
  wait "$server_pid" "$llm_pid" 2>/dev/null || true
  if [ "$status" != 0 ]; then
    echo "browser tests failed; server log: target/e2e-server.log" >&2
    tail -n 50 "$ROOT/target/e2e-server.log" >&2 || true
  fi
  return "$status"
}

# Gives the account $2 in database $1 a benchmark's data: 2,000 events, 500 tasks, 3,000
# expenses (scripts/bench, scripts/bench-writes).
seed_bench_user() {
  log "seeding 2,000 events, 500 tasks, 3,000 expenses"
  "$PG_BIN/psql" -q -v ON_ERROR_STOP=1 -d "$1" <<SQL
UPDATE users SET timezone = 'America/Toronto', currency = 'CAD' WHERE email = '$2';
INSERT INTO events (user_id, title, location, starts_at, ends_at, all_day, source)
SELECT u.id, 'Meeting ' || g, 'Room ' || (g % 7),
       date_trunc('hour', now()) - interval '200 days' + g * interval '5 hours 17 minutes',
       date_trunc('hour', now()) - interval '200 days' + g * interval '5 hours 17 minutes' + interval '45 minutes',
       false, 'web'
FROM users u, generate_series(1, 2000) g WHERE u.email = '$2';
INSERT INTO tasks (user_id, title, due_date, priority, completed_at)
SELECT u.id, 'Task ' || g, current_date + (g % 120 - 60), 1 + g % 3,
       CASE WHEN g % 2 = 0 THEN now() END
FROM users u, generate_series(1, 500) g WHERE u.email = '$2';
INSERT INTO expenses (user_id, amount, currency, category, description, spent_on)
SELECT u.id, round((1 + (g * 37 % 20000) / 100.0)::numeric, 2), 'CAD',
       (ARRAY['Food','Transport','Shopping','Bills','Entertainment','Health','Travel','Other'])[1 + g % 8],
       'Expense ' || g, current_date - (g % 365)
FROM users u, generate_series(1, 3000) g WHERE u.email = '$2';
VACUUM ANALYZE;
SQL
}
