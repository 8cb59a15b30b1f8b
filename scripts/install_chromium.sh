#!/usr/bin/env bash
# The browser tests' Chromium: Debian's `chromium`, installed with apt where apt is available
# (Playwright drives it; it cannot download its own browser here). Without apt, or without
# root or passwordless sudo, it says so and the browser tests skip with that reason.
set -euo pipefail

readonly USAGE="usage: scripts/install_chromium.sh [-h|--help]"

main() {
  if [[ $# -gt 0 ]]; then
    echo "${USAGE}"
    [[ "$1" == "-h" || "$1" == "--help" ]] && return 0
    return 2
  fi
  if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "No apt here: install Chromium yourself to run the browser tests (they skip without it)."
    return 0
  fi
  local sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    if ! sudo -n true 2>/dev/null; then
      echo "Chromium is missing: run \`sudo apt-get install chromium\` to run the browser tests."
      return 0
    fi
    sudo=(sudo -n)
  fi
  echo "Installing Chromium with apt for the browser tests..."
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium >/dev/null
}

main "$@"
