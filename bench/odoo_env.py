"""Open an Odoo environment on a bench database, from the Odoo that scripts/run.sh provisioned."""

import contextlib
import os
import subprocess
import sys

HOME = os.environ.get("SOCIAL_CRM_HOME") or os.path.join(
    os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "social_crm"
)
ODOO_DIR = os.path.join(HOME, "odoo")
CONF = os.environ.get("SOCIAL_CRM_CONF") or os.path.join(HOME, "odoo.conf")
PYTHON = os.path.join(HOME, "venv", "bin", "python")


def ensure_db(db):
    """Create the bench database with social_crm (no demo data) unless it exists."""
    import psycopg2

    try:
        psycopg2.connect(dbname=db).close()
        return
    except psycopg2.OperationalError:
        pass
    print(f"creating bench database {db} ...", flush=True)
    subprocess.run(
        [
            PYTHON,
            os.path.join(ODOO_DIR, "odoo-bin"),
            "-c",
            CONF,
            "-d",
            db,
            "-i",
            "social_crm",
            "--without-demo=all",
            "--stop-after-init",
            "--no-http",
            "--log-level=warn",
        ],
        check=True,
    )


@contextlib.contextmanager
def environment(db):
    if sys.executable != PYTHON and os.path.exists(PYTHON) and not os.environ.get("SOCIAL_CRM_BENCH_CHILD"):
        os.environ["SOCIAL_CRM_BENCH_CHILD"] = "1"
        os.execv(PYTHON, [PYTHON, *sys.argv])
    sys.path.insert(0, ODOO_DIR)
    import odoo
    from odoo import api

    ensure_db(db)
    odoo.tools.config.parse_config(["-c", CONF, "-d", db, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        yield api.Environment(cr, odoo.SUPERUSER_ID, {})
