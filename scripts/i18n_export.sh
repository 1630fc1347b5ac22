#!/usr/bin/env bash
# Regenerate each addon's template (social_crm/i18n/social_crm.pot, social_crm_lead/i18n/social_crm_lead.pot)
# from a fresh database without demo data, and merge it into the shipped translations (th.po, fa.po) with
# msgmerge when available.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$REPO_ROOT/scripts/setup.sh" --odoo
DB="social_crm_i18n_$$"
ADDONS=(social_crm social_crm_lead)
"$VENV/bin/python" "$ODOO_DIR/odoo-bin" -c "$ODOO_CONF" -d "$DB" -i "$(IFS=,; echo "${ADDONS[*]}")" \
    --without-demo=all --stop-after-init --no-http --log-level=warn
for addon in "${ADDONS[@]}"; do
    pot="$REPO_ROOT/$addon/i18n/$addon.pot"
    "$VENV/bin/python" "$ODOO_DIR/odoo-bin" -c "$ODOO_CONF" -d "$DB" --modules="$addon" \
        --i18n-export="$pot" --stop-after-init --no-http --log-level=warn
    if command -v msgmerge >/dev/null; then
        for po in "$REPO_ROOT/$addon"/i18n/*.po; do
            [ -f "$po" ] && msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$pot"
        done
    fi
    log "exported $addon/i18n/$addon.pot"
done
"$VENV/bin/python" - "$DB" <<'PY'
import sys, psycopg2
c = psycopg2.connect(dbname="postgres"); c.autocommit = True
c.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % sys.argv[1])
PY
