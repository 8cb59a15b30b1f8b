#!/usr/bin/env bash
# The system programs the tests call, from Debian's packages: Chromium for the browser tests
# (Playwright drives it; it cannot download its own browser here), shellcheck for the scripts
# and docker-compose to validate the compose files. apt installs the missing ones where apt is
# available with root or passwordless sudo; elsewhere it names the command to run, and the
# tests that need a missing program skip with that reason.
set -euo pipefail

readonly USAGE="usage: scripts/install_test_tools.sh [-h|--help]"
# program the tests call -> the Debian package that provides it
readonly -A PACKAGES=([chromium]=chromium [shellcheck]=shellcheck [docker-compose]=docker-compose)

missing_packages() {
  local program
  for program in chromium shellcheck docker-compose; do
    if [[ "${program}" == chromium ]] && command -v chromium-browser >/dev/null 2>&1; then
      continue
    fi
    command -v "${program}" >/dev/null 2>&1 || echo "${PACKAGES[${program}]}"
  done
}

main() {
  if [[ $# -gt 0 ]]; then
    echo "${USAGE}"
    [[ "$1" == "-h" || "$1" == "--help" ]] && return 0
    return 2
  fi
  local missing
  mapfile -t missing < <(missing_packages)
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "No apt here: install ${missing[*]} yourself, or the tests that need them skip."
    return 0
  fi
  local sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    if ! sudo -n true 2>/dev/null; then
      echo "Missing ${missing[*]}: run \`sudo apt-get install ${missing[*]}\`, or the tests that need them skip."
      return 0
    fi
    sudo=(sudo -n)
  fi
  echo "Installing ${missing[*]} with apt for the tests..."
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

main "$@"
