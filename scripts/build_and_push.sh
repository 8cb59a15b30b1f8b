#!/usr/bin/env bash
# Builds the pipeline image, pushes it to the ECR repository of infra/aws as <git sha> and
# latest, and writes deployments/cloud.env: the image URI and the infrastructure ids that the
# ECS deployments in prefect.yaml and the ECS work pool template read (deployments/README.md).
set -euo pipefail

readonly USAGE="usage: scripts/build_and_push.sh [--dry-run] [-h|--help]   (ALLOW_DIRTY=1 to build an uncommitted tree)"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO
readonly AWS_ROOT="infra/aws"
readonly CLOUD_ENV="deployments/cloud.env"
readonly CLOUD_ENV_KEYS="deployments/cloud-env.keys"

DRY_RUN=0

die() {
  echo "build_and_push: $*" >&2
  exit 1
}

parse_args() {
  while (($# > 0)); do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      -h | --help)
        echo "${USAGE}"
        exit 0
        ;;
      *)
        echo "build_and_push: unknown argument: $1" >&2
        echo "${USAGE}" >&2
        exit 2
        ;;
    esac
    shift
  done
}

preflight() {
  local missing=() tool
  for tool in git docker aws terraform jq; do
    command -v "${tool}" >/dev/null 2>&1 || missing+=("missing tool: ${tool} (not on PATH)")
  done
  if ((${#missing[@]} > 0)); then
    printf 'build_and_push: %s\n' "${missing[@]}" >&2
    die "${#missing[@]} prerequisite(s) missing, nothing was built"
  fi
}

# Prints a command; runs it unless --dry-run.
run() {
  echo "+ $*"
  ((DRY_RUN)) && return 0
  "$@"
}

# The image tag: the commit, refusing uncommitted changes unless ALLOW_DIRTY=1.
image_tag() {
  local sha changes
  sha="$(git -C "${REPO}" rev-parse --short=12 HEAD)" || die "not a git checkout: ${REPO}"
  changes="$(git -C "${REPO}" status --porcelain)"
  if [[ -n "${changes}" ]]; then
    if [[ "${ALLOW_DIRTY:-0}" != "1" ]]; then
      echo "build_and_push: the working tree has uncommitted changes:" >&2
      echo "${changes}" >&2
      die "refusing to build an image that no commit describes; commit first, or set ALLOW_DIRTY=1"
    fi
    echo "build_and_push: ALLOW_DIRTY=1: building uncommitted changes as ${sha}-dirty" >&2
    sha="${sha}-dirty"
  fi
  echo "${sha}"
}

# One output of infra/aws; lists are joined with commas.
output() {
  local value
  value="$(jq -r --arg name "$1" '.[$name].value // empty | if type == "array" then join(",") else tostring end' <<<"${OUTPUTS}")"
  [[ -n "${value}" ]] || die "output $1 of ${AWS_ROOT} is empty: run scripts/deploy_infra.sh first"
  # cloud.env is read by shells and dotenv parsers alike: plain values only.
  [[ "${value}" =~ ^[A-Za-z0-9_./:,@+=-]+$ ]] || die "output $1 holds characters cloud.env cannot carry: ${value}"
  echo "${value}"
}

# KEY=output pairs of deployments/cloud.env, one per line (comments and blanks skipped).
cloud_env_outputs() {
  [[ -f "${REPO}/${CLOUD_ENV_KEYS}" ]] || die "${CLOUD_ENV_KEYS} is missing: restore it from git"
  sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "${REPO}/${CLOUD_ENV_KEYS}"
}

write_cloud_env() {
  local image_uri="$1" target="${REPO}/${CLOUD_ENV}" tmp pair value
  local lines=(
    "# Written by scripts/build_and_push.sh from terraform -chdir=${AWS_ROOT} output -json; do not edit."
    "# Read by the ECS deployments of prefect.yaml and by scripts/render_job_template.py."
    "GMP_IMAGE_URI=${image_uri}"
  )
  while read -r pair; do
    value="$(output "${pair#*=}")"
    lines+=("${pair%%=*}=${value}")
  done < <(cloud_env_outputs)
  if ((DRY_RUN)); then
    echo "would write ${CLOUD_ENV}:"
    printf '%s\n' "${lines[@]}"
    return 0
  fi
  tmp="$(mktemp "${target}.XXXXXX")"
  printf '%s\n' "${lines[@]}" >"${tmp}"
  mv "${tmp}" "${target}"
  echo "wrote ${CLOUD_ENV}"
}

main() {
  parse_args "$@"
  cd "${REPO}"
  preflight
  ((DRY_RUN)) && echo "dry run: reading git and terraform outputs only; building, pushing and writing nothing"

  local tag repository region registry
  tag="$(image_tag)"
  OUTPUTS="$(terraform -chdir="${REPO}/${AWS_ROOT}" output -json)" ||
    die "could not read the outputs of ${AWS_ROOT}: run scripts/deploy_infra.sh first"
  repository="$(output ecr_repository_url)"
  region="$(output aws_region)"
  registry="${repository%%/*}"

  echo "+ aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${registry}"
  if ((!DRY_RUN)); then
    local password
    password="$(aws ecr get-login-password --region "${region}")" ||
      die "could not get an ECR password for ${region} (aws ecr get-login-password)"
    docker login --username AWS --password-stdin "${registry}" <<<"${password}" ||
      die "ECR login to ${registry} failed"
  fi
  run docker build --platform linux/amd64 --tag "${repository}:${tag}" --tag "${repository}:latest" "${REPO}" ||
    die "docker build failed"
  run docker push "${repository}:${tag}" || die "docker push ${repository}:${tag} failed"
  run docker push "${repository}:latest" || die "docker push ${repository}:latest failed"

  write_cloud_env "${repository}:${tag}"
  echo "${repository}:${tag}"
}

OUTPUTS=""
main "$@"
