# Shared settings for the project's scripts. Source it, don't run it.
# Everything provisioned lives outside the clone, per user, so that a later
# clone (CI) finds the Odoo that `scripts/run.sh` set up once.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOCIAL_CRM_HOME="${SOCIAL_CRM_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/social_crm}"
VENV="$SOCIAL_CRM_HOME/venv"
ODOO_DIR="$SOCIAL_CRM_HOME/odoo"
EXTRA_ADDONS="$SOCIAL_CRM_HOME/addons"
ODOO_CONF="$SOCIAL_CRM_HOME/odoo.conf"
PG_SOCKET_DIR="${PG_SOCKET_DIR:-/var/run/postgresql}"
HELPDESK_MGMT_VERSION="18.0.1.19.5"
RTLCSS_VERSION="4.3.0"  # Odoo builds right-to-left assets (Persian) with the rtlcss command
TORCH_VERSION="2.13.0"  # the CPU wheel on this machine's disk; any other spec downloads gigabytes
PYTHON="${PYTHON:-python3}"
NPM_PREFIX="$SOCIAL_CRM_HOME/npm"
export PATH="$NPM_PREFIX/node_modules/.bin:$PATH"

log() { printf '\033[1m[social_crm]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[social_crm] %s\033[0m\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root to run: $*"; fi
}

odoo_available() {
    # True when an Odoo 18 source tree is provisioned or named by ODOO_SRC.
    [ -n "${ODOO_SRC:-}" ] && [ -f "$ODOO_SRC/odoo-bin" ] && return 0
    [ -f "$ODOO_DIR/odoo-bin" ] && [ -x "$VENV/bin/python" ] && return 0
    return 1
}
