#!/usr/bin/env bash
# Deploys infra/aws and infra/snowflake in the four phases their two-way trust needs:
#   1  AWS: everything, the Snowflake access role with a placeholder trust
#   2  Snowflake: the storage integration only (-target), given the role ARN
#   3  AWS: the role trusts the integration's IAM user and external id; wait until visible
#   4  Snowflake: file format, stage, external tables, warehouse, role, grants
# Outputs travel from phase to phase through `terraform output -json` and TF_VAR_ variables.
# Safe to re-run: every phase is a plain `terraform apply` of what the previous ones produced.
set -euo pipefail

readonly USAGE="usage: scripts/deploy_infra.sh [--dry-run] [--phase 1|2|3|4] [-h|--help]"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO
readonly AWS_ROOT="infra/aws"
readonly SNOWFLAKE_ROOT="infra/snowflake"
readonly INTEGRATION_TARGET="snowflake_storage_integration.lake"
readonly POLL_ATTEMPTS="${DEPLOY_TRUST_POLL_ATTEMPTS:-60}"
readonly POLL_SECONDS="${DEPLOY_TRUST_POLL_SECONDS:-5}"

DRY_RUN=0
ONLY_PHASE=""
STEP="preflight"
declare -A INITIALIZED=()

die() {
  echo "deploy_infra: ${STEP} failed: $*" >&2
  exit 1
}

usage_error() {
  echo "deploy_infra: $*" >&2
  echo "${USAGE}" >&2
  exit 2
}

parse_args() {
  while (($# > 0)); do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      --phase)
        [[ $# -ge 2 ]] || usage_error "--phase needs a number"
        ONLY_PHASE="$2"
        shift
        ;;
      --phase=*) ONLY_PHASE="${1#--phase=}" ;;
      -h | --help)
        echo "${USAGE}"
        exit 0
        ;;
      *) usage_error "unknown argument: $1" ;;
    esac
    shift
  done
  if [[ -n "${ONLY_PHASE}" && ! "${ONLY_PHASE}" =~ ^[1-4]$ ]]; then
    usage_error "--phase must be 1, 2, 3 or 4, not '${ONLY_PHASE}'"
  fi
}

# A required setting comes from TF_VAR_<name> or from the root's terraform.tfvars.
has_tf_variable() {
  local root="$1" name="$2" env_name="TF_VAR_$2"
  [[ -n "${!env_name:-}" ]] && return 0
  [[ -f "${REPO}/${root}/terraform.tfvars" ]] &&
    grep -Eq "^[[:space:]]*${name}[[:space:]]*=" "${REPO}/${root}/terraform.tfvars"
}

# Checks tools, settings and files before anything runs; one line per missing item.
preflight() {
  local missing=() tool name
  for tool in terraform aws jq; do
    command -v "${tool}" >/dev/null 2>&1 || missing+=("missing tool: ${tool} (not on PATH)")
  done
  for name in aws_region lake_bucket_name prefect_api_url snowflake_account snowflake_dbt_user; do
    has_tf_variable "${AWS_ROOT}" "${name}" ||
      missing+=("missing variable: ${name} (set TF_VAR_${name} or add it to ${AWS_ROOT}/terraform.tfvars)")
  done
  for name in SNOWFLAKE_ORGANIZATION_NAME SNOWFLAKE_ACCOUNT_NAME SNOWFLAKE_USER; do
    [[ -n "${!name:-}" ]] || missing+=("missing variable: ${name} (Snowflake provider credentials)")
  done
  if [[ -z "${SNOWFLAKE_PASSWORD:-}" && -z "${SNOWFLAKE_PRIVATE_KEY:-}" ]]; then
    missing+=("missing variable: SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY (Snowflake provider credentials)")
  fi
  for root in "${AWS_ROOT}" "${SNOWFLAKE_ROOT}"; do
    [[ -f "${REPO}/${root}/backend.hcl" ]] ||
      missing+=("missing file: ${root}/backend.hcl (copy ${root}/backend.hcl.example; docs/cloud.md)")
  done
  if ((${#missing[@]} > 0)); then
    printf 'deploy_infra: %s\n' "${missing[@]}" >&2
    die "${#missing[@]} prerequisite(s) missing, nothing was changed"
  fi
}

# Prints a command; runs it unless --dry-run.
run() {
  echo "+ $*"
  ((DRY_RUN)) && return 0
  "$@"
}

# Runs terraform, keeping its output; a state-lock error gets the force-unlock guidance.
tf() {
  local root="$1" log status=0
  shift
  echo "+ terraform -chdir=${root} $*"
  ((DRY_RUN)) && return 0
  log="$(mktemp)"
  terraform -chdir="${REPO}/${root}" "$@" 2>&1 | tee "${log}" || status=$?
  if ((status != 0)); then
    if grep -q "Error acquiring the state lock" "${log}"; then
      local lock_id
      lock_id="$(sed -n 's/^[[:space:]]*ID:[[:space:]]*\([^[:space:]]*\).*/\1/p' "${log}" | head -n 1)"
      rm -f "${log}"
      echo "deploy_infra: the state of ${root} is locked by another run (lock ID ${lock_id:-unknown})." >&2
      echo "deploy_infra: if no other terraform run is going on, release it with:" >&2
      echo "deploy_infra:   terraform -chdir=${root} force-unlock ${lock_id:-<LOCK_ID>}" >&2
      die "terraform $1 in ${root}: state locked"
    fi
    rm -f "${log}"
    die "terraform $1 in ${root} exited with status ${status}"
  fi
  rm -f "${log}"
}

tf_init() {
  local root="$1"
  [[ -n "${INITIALIZED[${root}]:-}" ]] && return 0
  tf "${root}" init -input=false -backend-config=backend.hcl
  INITIALIZED[${root}]=1
}

tf_apply() {
  local root="$1"
  shift
  tf_init "${root}"
  tf "${root}" apply -input=false -auto-approve -lock-timeout=60s "$@"
}

# `terraform output -json` of an initialized root (read-only). In a dry run: nothing is read.
outputs_json() {
  local root="$1"
  ((DRY_RUN)) && return 0
  terraform -chdir="${REPO}/${root}" output -json ||
    die "could not read the outputs of ${root} (terraform output -json)"
}

# One output value; "<name of ROOT>" stands in for it in a dry run.
output_value() {
  local json="$1" root="$2" name="$3"
  if ((DRY_RUN)); then
    echo "<${name} of ${root}>"
    return 0
  fi
  jq -r --arg name "${name}" '.[$name].value // empty | if type == "array" then join(",") else tostring end' <<<"${json}"
}

require_value() {
  local value="$1" what="$2" hint="$3"
  [[ -n "${value}" ]] || die "${what} is empty: ${hint}"
}

phase_1() {
  STEP="phase 1"
  echo "== phase 1: AWS (bucket, ECS, IAM; the Snowflake role keeps the trust it has) =="
  # A re-run must not reset a trust phase 3 already set: reuse the integration's outputs.
  local snowflake user_arn external_id
  tf_init "${SNOWFLAKE_ROOT}"
  snowflake="$(outputs_json "${SNOWFLAKE_ROOT}")"
  user_arn=""
  external_id=""
  if ((!DRY_RUN)); then
    user_arn="$(output_value "${snowflake}" "${SNOWFLAKE_ROOT}" storage_aws_iam_user_arn)"
    external_id="$(output_value "${snowflake}" "${SNOWFLAKE_ROOT}" storage_aws_external_id)"
  fi
  if [[ -n "${user_arn}" && -n "${external_id}" ]]; then
    echo "the storage integration exists: keeping its trust"
    tf_apply "${AWS_ROOT}" \
      "-var=snowflake_storage_aws_iam_user_arn=${user_arn}" \
      "-var=snowflake_storage_aws_external_id=${external_id}"
  else
    tf_apply "${AWS_ROOT}"
  fi
}

# The two inputs of infra/snowflake that come from infra/aws.
snowflake_inputs() {
  local aws role_arn bucket
  tf_init "${AWS_ROOT}"
  aws="$(outputs_json "${AWS_ROOT}")"
  role_arn="$(output_value "${aws}" "${AWS_ROOT}" snowflake_access_role_arn)"
  bucket="$(output_value "${aws}" "${AWS_ROOT}" lake_bucket_name)"
  require_value "${role_arn}" "output snowflake_access_role_arn of ${AWS_ROOT}" "run phase 1 first"
  require_value "${bucket}" "output lake_bucket_name of ${AWS_ROOT}" "run phase 1 first"
  SNOWFLAKE_VARS=("-var=storage_aws_role_arn=${role_arn}" "-var=lake_bucket_name=${bucket}")
}

phase_2() {
  STEP="phase 2"
  echo "== phase 2: Snowflake storage integration only =="
  snowflake_inputs
  tf_apply "${SNOWFLAKE_ROOT}" "-target=${INTEGRATION_TARGET}" "${SNOWFLAKE_VARS[@]}"
}

phase_3() {
  STEP="phase 3"
  echo "== phase 3: AWS role trusts the storage integration =="
  local snowflake aws user_arn external_id role_name
  tf_init "${SNOWFLAKE_ROOT}"
  snowflake="$(outputs_json "${SNOWFLAKE_ROOT}")"
  user_arn="$(output_value "${snowflake}" "${SNOWFLAKE_ROOT}" storage_aws_iam_user_arn)"
  external_id="$(output_value "${snowflake}" "${SNOWFLAKE_ROOT}" storage_aws_external_id)"
  require_value "${user_arn}" "output storage_aws_iam_user_arn of ${SNOWFLAKE_ROOT}" "run phase 2 first"
  require_value "${external_id}" "output storage_aws_external_id of ${SNOWFLAKE_ROOT}" "run phase 2 first"
  tf_apply "${AWS_ROOT}" \
    "-var=snowflake_storage_aws_iam_user_arn=${user_arn}" \
    "-var=snowflake_storage_aws_external_id=${external_id}"
  aws="$(outputs_json "${AWS_ROOT}")"
  role_name="$(output_value "${aws}" "${AWS_ROOT}" snowflake_access_role_name)"
  require_value "${role_name}" "output snowflake_access_role_name of ${AWS_ROOT}" "run phase 1 first"
  wait_for_trust "${role_name}" "${user_arn}" "${external_id}"
}

# IAM is eventually consistent: poll the role until the new trust is visible.
wait_for_trust() {
  local role_name="$1" user_arn="$2" external_id="$3" attempt trust
  local command=(aws iam get-role --role-name "${role_name}" --query Role.AssumeRolePolicyDocument --output json)
  echo "+ ${command[*]}  (until the trust names ${user_arn})"
  ((DRY_RUN)) && return 0
  for ((attempt = 1; attempt <= POLL_ATTEMPTS; attempt++)); do
    trust="$("${command[@]}")" || die "aws iam get-role ${role_name} failed"
    if [[ "${trust}" == *"${user_arn}"* && "${trust}" == *"${external_id}"* ]]; then
      echo "trust of ${role_name} is visible (check ${attempt})"
      return 0
    fi
    sleep "${POLL_SECONDS}"
  done
  die "the trust of ${role_name} is still not visible after ${POLL_ATTEMPTS} checks; re-run with --phase 3"
}

phase_4() {
  STEP="phase 4"
  echo "== phase 4: Snowflake stage, file format, external tables, warehouse, role =="
  snowflake_inputs
  tf_apply "${SNOWFLAKE_ROOT}" "${SNOWFLAKE_VARS[@]}"
}

main() {
  parse_args "$@"
  cd "${REPO}"
  preflight
  ((DRY_RUN)) && echo "dry run: printing the commands, running none of them"
  local phase
  for phase in 1 2 3 4; do
    [[ -z "${ONLY_PHASE}" || "${ONLY_PHASE}" == "${phase}" ]] || continue
    "phase_${phase}"
  done
  echo "deploy_infra: done"
}

SNOWFLAKE_VARS=()
main "$@"
