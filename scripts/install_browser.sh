#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; it downloads
# no browser of its own), then print the export line that tells the tests where it is:
#   eval "$(bash scripts/install_browser.sh)"
set -euo pipefail
log() { echo "[browser] $*" >&2; }
if ! command -v chromium >/dev/null 2>&1; then
  log "installing the chromium package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
fi
log "$(chromium --version 2>/dev/null || echo 'chromium: version unknown')"
echo "export ELDERCARE_CHROMIUM=$(command -v chromium)"
echo "export ELDERCARE_REQUIRE_BROWSER=1"
