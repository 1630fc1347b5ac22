#!/usr/bin/env bash
# Regenerate social_crm/i18n/social_crm.pot from a fresh database, and merge it
# into the shipped translations (th.po, fa.po) with msgmerge when available.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$REPO_ROOT/scripts/setup.sh" --odoo
DB="social_crm_i18n_$$"
"$VENV/bin/python" "$ODOO_DIR/odoo-bin" -c "$ODOO_CONF" -d "$DB" -i social_crm --without-demo=all \
    --stop-after-init --no-http --log-level=warn
"$VENV/bin/python" "$ODOO_DIR/odoo-bin" -c "$ODOO_CONF" -d "$DB" --modules=social_crm \
    --i18n-export="$REPO_ROOT/social_crm/i18n/social_crm.pot" --stop-after-init --no-http --log-level=warn
"$VENV/bin/python" - "$DB" <<'PY'
import sys, psycopg2
c = psycopg2.connect(dbname="postgres"); c.autocommit = True
c.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % sys.argv[1])
PY
if command -v msgmerge >/dev/null; then
    for po in "$REPO_ROOT"/social_crm/i18n/*.po; do
        [ -f "$po" ] && msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$REPO_ROOT/social_crm/i18n/social_crm.pot"
    done
fi
log "exported social_crm/i18n/social_crm.pot"
