#!/usr/bin/env bash
# Provision everything the addon needs, idempotently:
#   - the Python virtualenv with the project's requirements (always);
#   - with --odoo: PostgreSQL, Odoo 18 from ODOO_SRC (or the official 18.0
#     branch where the internet is reachable), OCA helpdesk_mgmt from its
#     PyPI wheel, and an odoo.conf whose addons path includes this clone.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

WITH_ODOO=0
[ "${1:-}" = "--odoo" ] && WITH_ODOO=1
mkdir -p "$SOCIAL_CRM_HOME"

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

setup_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating virtualenv $VENV"
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/pip" install -q --upgrade pip wheel setuptools
    fi
    local reqs="$REPO_ROOT/requirements.txt $REPO_ROOT/requirements-dev.txt"
    local digest
    digest="$(cat $reqs | sha1sum | cut -d' ' -f1)"
    if ! stamp_ok "$VENV/.project-reqs" "$digest"; then
        log "installing the project's requirements"
        "$VENV/bin/pip" install -q "torch==$TORCH_VERSION"
        "$VENV/bin/pip" install -q -r "$REPO_ROOT/requirements-dev.txt"
        echo "$digest" > "$VENV/.project-reqs"
    fi
}

setup_odoo_source() {
    if [ -n "${ODOO_SRC:-}" ]; then
        [ -f "$ODOO_SRC/odoo-bin" ] || die "ODOO_SRC=$ODOO_SRC holds no odoo-bin"
        local src_id
        src_id="$(cd "$ODOO_SRC" && pwd)@$(stat -c %Y "$ODOO_SRC/odoo/release.py")"
        if ! stamp_ok "$SOCIAL_CRM_HOME/.odoo-src" "$src_id" || [ ! -f "$ODOO_DIR/odoo-bin" ]; then
            log "copying Odoo from $ODOO_SRC"
            rm -rf "$ODOO_DIR.tmp"
            cp -a "$ODOO_SRC" "$ODOO_DIR.tmp"
            rm -rf "$ODOO_DIR" && mv "$ODOO_DIR.tmp" "$ODOO_DIR"
            echo "$src_id" > "$SOCIAL_CRM_HOME/.odoo-src"
        fi
    elif [ ! -f "$ODOO_DIR/odoo-bin" ]; then
        log "ODOO_SRC not set: cloning Odoo 18.0 (needs the internet)"
        git clone -q --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$ODOO_DIR.tmp" \
            || die "could not get Odoo 18: set ODOO_SRC to an Odoo 18.0 source tree"
        mv "$ODOO_DIR.tmp" "$ODOO_DIR"
    fi
    grep -q "version_info = (18, 0" "$ODOO_DIR/odoo/release.py" || die "$ODOO_DIR is not Odoo 18.0"
}

setup_odoo_python() {
    local digest
    digest="$(sha1sum "$ODOO_DIR/requirements.txt" | cut -d' ' -f1)"
    if ! stamp_ok "$VENV/.odoo-reqs" "$digest"; then
        log "installing Odoo's Python requirements"
        "$VENV/bin/python" "$REPO_ROOT/scripts/odoo_requirements.py" "$ODOO_DIR/requirements.txt" \
            > "$SOCIAL_CRM_HOME/odoo-requirements.txt"
        "$VENV/bin/pip" install -q -r "$SOCIAL_CRM_HOME/odoo-requirements.txt"
        echo "$digest" > "$VENV/.odoo-reqs"
    fi
}

setup_helpdesk_mgmt() {
    if ! stamp_ok "$EXTRA_ADDONS/.helpdesk_mgmt" "$HELPDESK_MGMT_VERSION"; then
        log "installing OCA helpdesk_mgmt $HELPDESK_MGMT_VERSION from its wheel"
        local tmp
        tmp="$(mktemp -d)"
        "$VENV/bin/pip" download -q --no-deps -d "$tmp" "odoo-addon-helpdesk_mgmt==$HELPDESK_MGMT_VERSION"
        "$VENV/bin/python" - "$tmp" "$EXTRA_ADDONS" <<'PY'
import glob, os, shutil, sys, zipfile
tmp, dest = sys.argv[1:]
wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
zipfile.ZipFile(wheel).extractall(tmp)
os.makedirs(dest, exist_ok=True)
shutil.rmtree(os.path.join(dest, "helpdesk_mgmt"), ignore_errors=True)
shutil.copytree(os.path.join(tmp, "odoo", "addons", "helpdesk_mgmt"), os.path.join(dest, "helpdesk_mgmt"))
PY
        rm -rf "$tmp"
        echo "$HELPDESK_MGMT_VERSION" > "$EXTRA_ADDONS/.helpdesk_mgmt"
    fi
}

setup_rtlcss() {
    # Without rtlcss on PATH Odoo serves Persian pages left-to-right.
    if ! stamp_ok "$NPM_PREFIX/.rtlcss" "$RTLCSS_VERSION"; then
        command -v npm >/dev/null || die "npm is needed for rtlcss (Persian right-to-left assets): install nodejs and npm"
        log "installing rtlcss $RTLCSS_VERSION from npm (right-to-left assets for Persian)"
        mkdir -p "$NPM_PREFIX"
        npm install --silent --no-audit --no-fund --prefix "$NPM_PREFIX" "rtlcss@$RTLCSS_VERSION" >/dev/null
        echo "$RTLCSS_VERSION" > "$NPM_PREFIX/.rtlcss"
    fi
}

write_conf() {
    cat > "$ODOO_CONF" <<CONF
[options]
addons_path = $ODOO_DIR/addons,$ODOO_DIR/odoo/addons,$EXTRA_ADDONS,$REPO_ROOT
data_dir = $SOCIAL_CRM_HOME/data
db_host = False
db_port = False
http_interface = 127.0.0.1
http_port = ${ODOO_HTTP_PORT:-8069}
gevent_port = ${ODOO_GEVENT_PORT:-8072}
list_db = True
log_level = info
CONF
}

setup_venv
if [ "$WITH_ODOO" = 1 ]; then
    "$REPO_ROOT/scripts/postgres.sh"
    setup_odoo_source
    setup_odoo_python
    setup_helpdesk_mgmt
    setup_rtlcss
    write_conf
    log "Odoo 18 ready in $ODOO_DIR (config $ODOO_CONF)"
fi
