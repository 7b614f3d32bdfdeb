#!/usr/bin/env bash
# Installs what the test suite needs beyond Go, from Debian's packages:
# Chromium, which the report test uses to render circc verify's HTML page
# headless, and Neovim, whose built-in LSP client the language-server test
# drives headless. Needs root (or sudo) and Debian's package registry.
# Quiet when already installed.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)
command -v nvim >/dev/null 2>&1 || need+=(neovim)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "install-test-tools: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
