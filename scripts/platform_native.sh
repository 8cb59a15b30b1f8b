#!/usr/bin/env bash
# The local platform without Docker: Prefect server (SQLite), moto_server as the S3 stand-in
# for MinIO (bucket created), the local deployments, and a process worker. Everything runs
# in the background with pid files and logs under GMP_RUN_DIR (default ./data/run).
# OFFLINE=1 also starts the RAWG sandbox and points the worker at it: no key, no network.
#
# Usage: [OFFLINE=1] scripts/platform_native.sh start|stop|status
# Run from the repository root inside the project environment (make start-native / make down).
set -euo pipefail

readonly RUN_DIR="${GMP_RUN_DIR:-./data/run}"
readonly SERVER_PORT="${GMP_SERVER_PORT:-4200}"
readonly S3_PORT="${GMP_S3_PORT:-9000}"
readonly SANDBOX_PORT="${GMP_SANDBOX_PORT:-8765}"
readonly SANDBOX_GAMES="${SANDBOX_GAMES:-5000}"
readonly OFFLINE="${OFFLINE:-0}"
readonly BUCKET="${LAKE_BUCKET:-game-market-lake}"
readonly API_URL="http://127.0.0.1:${SERVER_PORT}/api"
readonly S3_URL="http://127.0.0.1:${S3_PORT}"
readonly SANDBOX_URL="http://127.0.0.1:${SANDBOX_PORT}/api"
readonly LOCAL_DEPLOYMENTS=(-n daily -n backfill -n backfill-releases -n ingest-day -n dbt-build -n ingest-endpoint)
readonly SERVICES=(worker sandbox s3 server)

die() {
  echo "error: $*" >&2
  exit 1
}

pid_of() {
  local pid_file="${RUN_DIR}/$1.pid"
  [[ -f "${pid_file}" ]] && cat "${pid_file}"
}

is_running() {
  local pid
  pid="$(pid_of "$1")" || return 1
  kill -0 "${pid}" 2>/dev/null
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Own session per service, so stopping it also stops what it started (server workers,
# flow-run subprocesses).
launch() {
  local name="$1"
  shift
  setsid "$@" >"${RUN_DIR}/${name}.log" 2>&1 </dev/null &
  echo "$!" >"${RUN_DIR}/${name}.pid"
}

wait_for_port() {
  local port="$1" name="$2" tries=0
  until port_in_use "${port}"; do
    tries=$((tries + 1))
    if ((tries > 120)) || ! is_running "${name}"; then
      die "${name} did not start on port ${port}; see ${RUN_DIR}/${name}.log"
    fi
    sleep 0.5
  done
}

# The key the worker's runs will use: the environment's, else .env's (settings read both).
has_rawg_key() {
  [[ -n "${RAWG_API_KEY:-}" ]] || grep -qE '^RAWG_API_KEY=[^[:space:]#]' .env 2>/dev/null
}

start() {
  [[ "${OFFLINE}" == 0 || "${OFFLINE}" == 1 ]] \
    || die "OFFLINE must be 0 or 1, not '${OFFLINE}': OFFLINE=1 runs against the RAWG sandbox"
  mkdir -p "${RUN_DIR}" ./data/warehouse ./data/reports
  for service in "${SERVICES[@]}"; do
    if is_running "${service}"; then
      die "the native platform is already running (${service}); stop it with 'make down'"
    fi
  done
  port_in_use "${SERVER_PORT}" \
    && die "port ${SERVER_PORT} is in use: stop what uses it, or set GMP_SERVER_PORT"
  port_in_use "${S3_PORT}" \
    && die "port ${S3_PORT} is in use: stop what uses it (MinIO?), or set GMP_S3_PORT"
  if [[ "${OFFLINE}" == 1 ]] && port_in_use "${SANDBOX_PORT}"; then
    die "port ${SANDBOX_PORT} is in use: stop what uses it (make sandbox?), or set GMP_SANDBOX_PORT"
  fi

  export PREFECT_HOME="${PREFECT_HOME:-${RUN_DIR}/prefect}"
  export PREFECT_SERVER_ANALYTICS_ENABLED=false
  # A new database from the migrated template, so the server need not migrate it; when the
  # database holds the template's block types, prepare names the variables that tell the
  # server not to register them again (which would import every collection), as gmp's own
  # local server is told.
  gmp server prepare >"${RUN_DIR}/prepare.log" 2>&1 \
    || die "gmp server prepare failed; see ${RUN_DIR}/prepare.log"
  local registered
  read -ra registered <<<"$(sed -n 's/^Start its server with \([^:]*\): .*/\1/p' "${RUN_DIR}/prepare.log")"
  # The UI asks the API at PREFECT_UI_API_URL, which defaults to port 4200 whatever --port says.
  # PREFECT_UI_URL: the base of the run links in the alerts the server sends.
  launch server env "${registered[@]}" \
    PREFECT_UI_API_URL="${API_URL}" PREFECT_UI_URL="http://127.0.0.1:${SERVER_PORT}" \
    prefect server start --host 127.0.0.1 --port "${SERVER_PORT}"
  launch s3 moto_server -H 127.0.0.1 -p "${S3_PORT}"
  if [[ "${OFFLINE}" == 1 ]]; then
    launch sandbox gmp sandbox --host 127.0.0.1 --port "${SANDBOX_PORT}" --games "${SANDBOX_GAMES}"
  fi

  export PREFECT_API_URL="${API_URL}"
  wait_for_port "${S3_PORT}" s3
  if [[ "${OFFLINE}" == 1 ]]; then
    wait_for_port "${SANDBOX_PORT}" sandbox
  fi
  python - "${S3_URL}" "${BUCKET}" <<'PY'
import sys

import boto3

endpoint, bucket = sys.argv[1:]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    aws_access_key_id="local",
    aws_secret_access_key="local",
    region_name="us-east-1",
)
if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
    s3.create_bucket(Bucket=bucket)
PY

  # Once the server answers, in one process: the work pool `local`, the `dbt-build` limit (one
  # build at a time: DuckDB has a single writer) and the `rawg-api` limit (RAWG requests in
  # flight across every flow run), created or updated.
  gmp setup-platform --wait 120 --rawg-limit "${RAWG_API_LIMIT:-8}" >"${RUN_DIR}/setup.log" 2>&1 \
    || die "the platform's Prefect server is not set up; see ${RUN_DIR}/setup.log and ${RUN_DIR}/server.log"
  prefect --no-prompt deploy "${LOCAL_DEPLOYMENTS[@]}" >"${RUN_DIR}/deploy.log" 2>&1 \
    || die "prefect deploy failed; see ${RUN_DIR}/deploy.log"

  # The worker's flow runs read the rest of their settings from .env; these make the lake
  # the S3 stand-in and pin the warehouse path, and offline, make RAWG the sandbox (which
  # takes any key). It asks the local server for runs every 2 s, not Prefect's 10: a run
  # started from the UI starts at once, and a local server does not mind the questions.
  local rawg=() rawg_line
  if [[ "${OFFLINE}" == 1 ]]; then
    rawg=(RAWG_BASE_URL="${SANDBOX_URL}" RAWG_API_KEY=offline-sandbox)
    rawg_line="the sandbox on ${SANDBOX_URL} (OFFLINE=1: no key, no network)"
  elif has_rawg_key; then
    rawg_line="RAWG_BASE_URL and RAWG_API_KEY from the environment or .env"
  else
    rawg_line="NO KEY: runs fail until RAWG_API_KEY is in .env; or restart with OFFLINE=1"
  fi
  launch worker env "${rawg[@]}" \
    LAKE_URL="s3://${BUCKET}/lake" \
    AWS_ENDPOINT_URL_S3="${S3_URL}" \
    AWS_ACCESS_KEY_ID=local \
    AWS_SECRET_ACCESS_KEY=local \
    AWS_REGION=us-east-1 \
    DUCKDB_PATH="${DUCKDB_PATH:-${PWD}/data/warehouse/game_market.duckdb}" \
    PREFECT_LOGGING_EXTRA_LOGGERS=game_market \
    PREFECT_WORKER_QUERY_SECONDS="${PREFECT_WORKER_QUERY_SECONDS:-2}" \
    prefect worker start --pool local --type process

  cat <<EOF
The native platform is up (logs and pids in ${RUN_DIR}):
  Prefect UI   http://127.0.0.1:${SERVER_PORT}
  Prefect API  ${API_URL}   (export PREFECT_API_URL=${API_URL})
  Lake         s3://${BUCKET}/lake on ${S3_URL} (moto_server, standing in for MinIO)
  RAWG         ${rawg_line}
  Warehouse    ${DUCKDB_PATH:-${PWD}/data/warehouse/game_market.duckdb}
  Alerts       $(sed -n 's/^alerts: //p' "${RUN_DIR}/setup.log")
Stop it with: make down
EOF
}

stop() {
  local service pid stopped=0
  for service in "${SERVICES[@]}"; do
    if is_running "${service}"; then
      pid="$(pid_of "${service}")"
      kill -TERM -- "-${pid}" 2>/dev/null || kill -TERM "${pid}" 2>/dev/null || true
      for _ in $(seq 50); do
        kill -0 "${pid}" 2>/dev/null || break
        sleep 0.2
      done
      kill -KILL -- "-${pid}" 2>/dev/null || true
      stopped=$((stopped + 1))
    fi
    rm -f "${RUN_DIR}/${service}.pid"
  done
  echo "Native platform: ${stopped} service(s) stopped."
}

status() {
  local service
  for service in "${SERVICES[@]}"; do
    if is_running "${service}"; then
      echo "${service}: running (pid $(pid_of "${service}"))"
    else
      echo "${service}: stopped"
    fi
  done
}

main() {
  case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: $0 start|stop|status" ;;
  esac
}

main "$@"
