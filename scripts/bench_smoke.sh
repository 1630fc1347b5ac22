#!/usr/bin/env bash
# Every Odoo bench of bench/ once at a tiny size (`--smoke`) in a temporary database: a bench that no
# longer runs fails the test command, so a figure in the README always comes from code that still runs.
# No timing is asserted. The Odoo-free benches run in the pure-Python suite (tests/test_benches.py).
#   usage: scripts/bench_smoke.sh [bench.py ...]   (default: the list below)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Each takes --smoke and --db. Add a bench here when it needs Odoo.
# webhooks.py first: it starts Odoo with workers on a database that the other benches have not filled yet
ODOO_BENCHES=(webhooks.py ingest.py ui.py privacy.py)
if [ "$#" -gt 0 ]; then ODOO_BENCHES=("$@"); fi

DB="social_crm_bench_smoke_$$"
export SOCIAL_CRM_CONF="${SOCIAL_CRM_CONF:-$ODOO_CONF}"
drop_db() {
    "$VENV/bin/python" -c "import psycopg2,sys;c=psycopg2.connect(dbname='postgres');c.autocommit=True;\
c.cursor().execute('DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)' % sys.argv[1])" "$DB" || true
}
trap drop_db EXIT

status=0
for bench in "${ODOO_BENCHES[@]}"; do
    log "bench smoke: bench/$bench --smoke"
    started=$SECONDS
    if ! (cd "$REPO_ROOT" && "$VENV/bin/python" "bench/$bench" --smoke --db "$DB"); then
        printf '\n\033[1;31m%s\033[0m\n\n' "bench/$bench no longer runs (above)" >&2
        status=1
    fi
    log "bench/$bench: $((SECONDS - started)) s"
done
exit "$status"
