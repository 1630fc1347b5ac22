#!/usr/bin/env bash
# Odoo's browser tests (tours) need Chromium; without it they are skipped,
# which the Odoo suite treats as a failure. Install Debian's package if missing.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null && ! command -v google-chrome >/dev/null; then
    log "installing Chromium from Debian's packages (for the tours)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi
# Screens in Thai and Persian need fonts with their glyphs, or tours and screenshots show boxes.
if ! dpkg -s fonts-thai-tlwg fonts-farsiweb >/dev/null 2>&1; then
    log "installing Thai and Persian fonts from Debian's packages"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq fonts-thai-tlwg fonts-farsiweb >/dev/null
fi
