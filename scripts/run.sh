#!/usr/bin/env bash
# Set up everything and start Odoo 18 with social_crm and its demo data on
# http://localhost:8069 (log in as admin / admin). The database is created on
# the first run and reused afterwards.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DB="${SOCIAL_CRM_DB:-social_crm}"
"$REPO_ROOT/scripts/setup.sh" --odoo

if ! "$VENV/bin/python" - "$DB" <<'PY'
import sys, psycopg2
try:
    psycopg2.connect(dbname=sys.argv[1]).close()
except psycopg2.OperationalError:
    sys.exit(1)
PY
then
    log "creating database $DB with social_crm and demo data (a few minutes)"
    "$VENV/bin/python" "$ODOO_DIR/odoo-bin" -c "$ODOO_CONF" -d "$DB" -i social_crm \
        --stop-after-init --no-http
fi
log "starting Odoo on http://localhost:${ODOO_HTTP_PORT:-8069} (database $DB, login admin / admin)"
exec "$VENV/bin/python" "$ODOO_DIR/odoo-bin" -c "$ODOO_CONF" -d "$DB" --db-filter="^$DB\$" \
    --http-interface="${ODOO_HTTP_INTERFACE:-0.0.0.0}" "$@"
