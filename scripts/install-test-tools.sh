#!/usr/bin/env bash
# Installs what the test suite needs beyond Go: Debian's Chromium, which the
# report test uses to render circc verify's HTML page headless. Needs root
# (or sudo) and Debian's package registry. Quiet when already installed.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "install-test-tools: installing chromium" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq chromium >/dev/null
