#!/usr/bin/env bash
# Set up everything and start Odoo 18 with social_crm and its demo data on
# http://localhost:8069 (log in as admin / admin). The database is created on
# the first run and reused afterwards (updated first when the code is newer).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DB="${SOCIAL_CRM_DB:-social_crm}"
"$REPO_ROOT/scripts/setup.sh" --odoo

# Exit 1: no database yet; prints the addons whose code is newer than the database (after a pull): updated
# before the server starts, so their migrations run and the crons find their methods.
OUTDATED="$("$VENV/bin/python" - "$DB" "$REPO_ROOT" <<'PY'
import ast, os, sys, psycopg2
db, root = sys.argv[1], sys.argv[2]
try:
    conn = psycopg2.connect(dbname=db)
except psycopg2.OperationalError:
    sys.exit(1)
with conn, conn.cursor() as cr:
    cr.execute("SELECT name, latest_version FROM ir_module_module WHERE state = 'installed' AND name LIKE 'social_crm%'")
    for name, installed in cr.fetchall():
        manifest = os.path.join(root, name, "__manifest__.py")
        if os.path.exists(manifest):
            version = ast.literal_eval(open(manifest, encoding="utf-8").read())["version"]
            if version != installed:
                print(name)
PY
)" && STATE=0 || STATE=$?
case $STATE in
    1)
        log "creating database $DB with social_crm and demo data (a few minutes)"
        "$VENV/bin/python" "$ODOO_DIR/odoo-bin" -c "$ODOO_CONF" -d "$DB" -i social_crm \
            --stop-after-init --no-http
        ;;
    0)
        if [ -n "$OUTDATED" ]; then
            MODULES="$(echo $OUTDATED | tr ' ' ',')"
            log "updating $MODULES in database $DB to this code's version"
            "$VENV/bin/python" "$ODOO_DIR/odoo-bin" -c "$ODOO_CONF" -d "$DB" -u "$MODULES" \
                --stop-after-init --no-http
        fi
        ;;
    *) exit 1 ;;
esac
log "starting Odoo on http://localhost:${ODOO_HTTP_PORT:-8069} (database $DB, login admin / admin)"
exec "$VENV/bin/python" "$ODOO_DIR/odoo-bin" -c "$ODOO_CONF" -d "$DB" --db-filter="^$DB\$" \
    --http-interface="${ODOO_HTTP_INTERFACE:-0.0.0.0}" "$@"
