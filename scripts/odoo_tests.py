"""Run the social_crm Odoo suite in fresh databases and judge the logs strictly.

Phases, each in a new database that is dropped afterwards:
  1. install social_crm without demo data: not a single WARNING or ERROR line, and no CRM pulled in (the
     bridge social_crm_lead installs itself only where crm is installed);
  2. install social_crm and crm with demo data (social_crm_lead comes with them, auto_install) and run the
     tests tagged /social_crm and /social_crm_lead (tours included): no failure, no error, no skipped test,
     at least one test;
  3. uninstall social_crm_lead from that database: social_crm still works (a buying signal becomes a
     ticket again), no ERROR line; then uninstall social_crm: no ERROR line.
Prints "Odoo: N passed, N failed" and exits non-zero on any problem.
"""

import argparse
import os
import re
import subprocess
import sys
import time

from odoo_cli import http_ports, odoo_command

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<rest>.*)$")
RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
SKIPPED = re.compile(r"odoo\.tests\.result: skipped (.*)")
# Odoo's own harmless noise that is not about this addon.
IGNORED = [
    re.compile(r"Running as user 'root' is a security risk"),
]


def run_odoo(opts, db, extra, log_path):
    cmd = odoo_command(
        opts.python, opts.odoo, opts.conf, db, *http_ports(), "--stop-after-init", "--max-cron-threads=0", *extra
    )
    print("$ " + " ".join(cmd), flush=True)
    started = time.time()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=False)
    print(f"  ({time.time() - started:.0f} s, log {log_path})", flush=True)
    with open(log_path, encoding="utf-8", errors="replace") as log:
        return proc.returncode, log.read().splitlines()


def problems(lines, levels):
    found = []
    for line in lines:
        match = LOG_LINE.match(line)
        if match and match["level"] in levels and not any(p.search(line) for p in IGNORED):
            found.append(line)
    return found


def drop_db(python, db):
    subprocess.run(
        [
            python,
            "-c",
            "import psycopg2,sys;c=psycopg2.connect(dbname='postgres');c.autocommit=True;"
            "c.cursor().execute('DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)' % sys.argv[1])",
            db,
        ],
        check=False,
    )


def installed(python, db, modules):
    """Which of ``modules`` are installed in ``db``."""
    code = (
        "import sys, psycopg2\n"
        "conn = psycopg2.connect(dbname=sys.argv[1])\n"
        "cur = conn.cursor()\n"
        "cur.execute(\"SELECT name FROM ir_module_module WHERE state = 'installed' AND name = ANY(%s)\", [sys.argv[2:]])\n"
        "print(' '.join(sorted(row[0] for row in cur.fetchall())))\n"
    )
    proc = subprocess.run([python, "-c", code, db, *modules], capture_output=True, text=True, check=False)
    return proc.stdout.split()


UNINSTALL_BRIDGE = """
from datetime import datetime, UTC
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.addons.social_crm.connectors.models import Author, Item

env['ir.module.module'].search([('name', '=', 'social_crm_lead')]).button_immediate_uninstall()
env.cr.commit()
registry = Registry(env.cr.dbname)
assert 'social_crm.lead.rule' not in registry, 'bridge model still registered'
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
    assert 'social_thread_id' not in env['crm.lead']._fields, 'crm.lead still has the bridge field'
    assert env.ref('social_crm.ticket_rule_buying').active, 'the buying-signal ticket rule is active again'
    account = env['social_crm.account'].search([('active', '=', True)], limit=1)
    item = Item(
        external_id='uninstall-check-1', author=Author(external_id='uninstall-check', handle='check.test', name='Check'),
        text='How much is the blue kettle? I want to buy two', posted_at=datetime.now(UTC), root_id='uninstall-check-1',
    )
    mention = env['social_crm.mention']._ingest_items(account, [item])
    assert mention.intent == 'buying' and mention.ticket_id, (mention.intent, mention.ticket_id)
    cr.rollback()
print('BRIDGE UNINSTALLED, social_crm works')
"""


UNINSTALL_CORE = """
env['ir.module.module'].search([('name', '=', 'social_crm')]).button_immediate_uninstall()
env.cr.commit()
assert 'social_crm.mention' not in env.registry, 'model still registered'
print('SOCIAL_CRM UNINSTALLED')
"""


def odoo_shell(opts, db, logdir, script, name, done_marker):
    """Run ``script`` in ``odoo-bin shell``; a failure line when it fails, logs nothing but errors, or never
    prints ``done_marker``."""
    cmd = odoo_command(opts.python, opts.odoo, opts.conf, db, "--no-http", subcommand="shell")
    print("$ " + " ".join(cmd) + f"  # {name}", flush=True)
    proc = subprocess.run(cmd, input=script, capture_output=True, text=True, check=False)
    unlog = (proc.stdout + proc.stderr).splitlines()
    with open(os.path.join(logdir, f"{name.replace(' ', '-')}.log"), "w", encoding="utf-8") as log:
        log.write("\n".join(unlog))
    bad = problems(unlog, {"ERROR", "CRITICAL"}) + [line for line in unlog if "Traceback" in line]
    if proc.returncode or bad or not any(done_marker in line for line in unlog):
        print("\n".join(unlog[-40:]))
        return [f"{name}: exit {proc.returncode}, {len(bad)} error lines"]
    return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--odoo", required=True)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--tags", default="/social_crm,/social_crm_lead")
    parser.add_argument("--quick", action="store_true", help="only the test phase")
    parser.add_argument("--keep-db", action="store_true")
    opts = parser.parse_args()
    logdir = os.environ.get("SOCIAL_CRM_TEST_LOGS") or os.path.join(os.path.dirname(opts.conf), "test-logs")
    os.makedirs(logdir, exist_ok=True)
    stamp = f"{os.getpid()}_{int(time.time())}"
    failures = []

    if not opts.quick:
        db = f"social_crm_nodemo_{stamp}"
        install = ["-i", "social_crm", "--without-demo=all"]
        rc, lines = run_odoo(opts, db, install, os.path.join(logdir, "install-nodemo.log"))
        bad = problems(lines, {"WARNING", "ERROR", "CRITICAL"})
        if rc or bad:
            failures.append(f"install without demo: exit {rc}, {len(bad)} warning/error lines")
            print("\n".join(bad[:30]))
        if not rc and installed(opts.python, db, ("crm", "social_crm_lead")):
            failures.append("install without CRM: crm or social_crm_lead was installed with social_crm")
        drop_db(opts.python, db)

    db = f"social_crm_test_{stamp}"
    install = ["-i", "social_crm,crm", "--test-enable", "--test-tags", opts.tags]
    rc, lines = run_odoo(opts, db, install, os.path.join(logdir, "tests.log"))
    results = [tuple(map(int, m.groups())) for m in map(RESULT.search, lines) if m]
    failed, errors, run = results[-1] if results else (0, 0, 0)
    skipped = [m.group(1) for m in map(SKIPPED.search, lines) if m]
    bad = problems(lines, {"ERROR", "CRITICAL"})
    tests_start = next((i for i, line in enumerate(lines) if "Starting post tests" in line), len(lines))
    install_warnings = problems(lines[:tests_start], {"WARNING"})
    for line in bad[:40]:
        print(line)
    for reason in skipped:
        print(f"SKIPPED (counts as a failure): {reason}")
    for line in install_warnings[:20]:
        print(f"WARNING during install: {line}")
    if rc or bad or failed or errors or skipped or not run:
        failures.append(f"tests: exit {rc}, {failed} failed, {errors} errors, {len(skipped)} skipped, {run} run")
    if install_warnings:
        failures.append(f"install with demo: {len(install_warnings)} warning lines")

    if not rc and not installed(opts.python, db, ("social_crm_lead",)):
        failures.append("social_crm_lead was not installed with social_crm and crm (auto_install)")
    if not opts.quick and not rc:
        # social_crm_lead uninstalled: social_crm keeps working (a buying signal is ingested, analyzed, ticketed).
        failures += odoo_shell(opts, db, logdir, UNINSTALL_BRIDGE, "uninstall social_crm_lead", "BRIDGE UNINSTALLED")
        failures += odoo_shell(opts, db, logdir, UNINSTALL_CORE, "uninstall social_crm", "SOCIAL_CRM UNINSTALLED")
    if not opts.keep_db:
        drop_db(opts.python, db)

    passed = max(run - failed - errors, 0)
    print(f"\nOdoo: {passed} passed, {failed + errors} failed, {len(skipped)} skipped")
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
