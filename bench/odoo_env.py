"""Open an Odoo environment on a bench database, from the Odoo that scripts/run.sh provisioned.

Also what several benches serve or start: a loopback HTTP server and the odoo-bin command line
(scripts/odoo_cli.py, shared with scripts/odoo_tests.py).
"""

import contextlib
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
from odoo_cli import free_port, http_ports, odoo_command  # noqa: E402, F401  (re-exported for the benches)

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
    install = ["-i", "social_crm", "--without-demo=all", "--stop-after-init", "--no-http", "--log-level=warn"]
    subprocess.run(odoo_command(PYTHON, ODOO_DIR, CONF, db, *install), check=True)


def serve(content_type, answer):
    """A loopback HTTP server answering every GET with ``answer(path)`` (bytes); returns (server, its URL)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = answer(self.path)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


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
