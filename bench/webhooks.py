"""Webhook intake benchmark (issues 15 and 25): signed LINE deliveries over loopback into a running Odoo.

Starts ``odoo-bin`` with ``--workers`` (prefork: HTTP workers answer deliveries, a cron worker
processes them when woken by ``ir.cron._trigger()``) on a bench database, then measures:

1. seconds from delivery to ticket at idle (one Thai message at a time, waiting for its ticket);
2. acknowledgement latency of one delivery at a time;
3. a burst (default 50 deliveries/s for 15 s, each from one of 100 people whose names come from LINE's
   profile API on loopback): acknowledgement latency p50/p99/max, deliveries stored, and how long after
   the burst the processing cron has drained the queue. With ``--baseline`` the burst runs twice in the
   same server, first with the cron's yielding switched off (system parameter ``social_crm.webhook_yield``
   = "0": big batches at normal priority, as before issue 25), then on; both are printed side by side.

Usage: python bench/webhooks.py [--smoke] [--rate 50] [--seconds 15] [--workers 2] [--baseline] [--db social_crm_bench_hooks]
(needs the Odoo provisioned by scripts/run.sh; SOCIAL_CRM_CONF picks another odoo.conf, e.g. one whose
addons path holds a work tree; the machine's CPU is shared, so numbers vary.)
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import CONF, ODOO_DIR, PYTHON, environment, free_port, http_ports, odoo_command, serve  # noqa: E402

SECRET = "bench-channel-secret-0123456789ab"
USER = "Ubench000000000000000000000000001"
PEOPLE = 100  # distinct senders in a burst: their names come from the profile API
YIELD_PARAM = "social_crm.webhook_yield"
TEXTS = [
    "สวัสดีครับ สั่งของไปสามวันแล้วยังไม่ได้รับเลย ช่วยตรวจสอบให้หน่อยได้ไหมครับ",
    "สินค้าชำรุด ต้องการเปลี่ยนสินค้าค่ะ",
    "ขอบคุณมากครับ บริการดีมาก",
]


def profile(path):
    """LINE's profile API: GET /v2/bot/profile/{userId}."""
    user_id = path.rsplit("/", 1)[-1]
    return json.dumps({"displayName": f"ผู้ทดสอบ {user_id[-3:]}", "userId": user_id, "pictureUrl": ""}).encode()


def prepare(db, api_url):
    with environment(db) as env:
        env["ir.config_parameter"].set_param("social_crm.allowed_hosts", "127.0.0.1")
        Account = env["social_crm.account"].with_context(active_test=False)
        account = Account.search([("name", "=", "Bench LINE")], limit=1) or Account.create(
            {"name": "Bench LINE", "network": "line", "base_url": api_url, "token": "bench"}
        )
        account.write({"base_url": api_url, "token": "bench", "secret": SECRET, "state": "connected", "active": True})
        env.cr.commit()
        return account.id, account.webhook_key


def signed(event_id, message_id, text, user=USER):
    body = json.dumps(
        {
            "destination": "Ubench",
            "events": [
                {
                    "type": "message",
                    "message": {"type": "text", "id": message_id, "quoteToken": "q", "text": text},
                    "webhookEventId": event_id,
                    "deliveryContext": {"isRedelivery": False},
                    "timestamp": int(time.time() * 1000),
                    "source": {"type": "user", "userId": user},
                    "replyToken": "r" * 32,
                    "mode": "active",
                }
            ],
        },
        ensure_ascii=False,
    ).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    return body, {"Content-Type": "application/json", "X-Line-Signature": signature}


def start_odoo(db, port, workers):
    options = [f"--workers={workers}", "--max-cron-threads=1", "--log-level=warn"]
    command = odoo_command(PYTHON, ODOO_DIR, CONF, db, *http_ports(port), *options)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_up(requests, url, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url + "/web/login", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit("Odoo did not start")


def ticket_of(cursor, account_id, message_id):
    cursor.execute(
        "SELECT ticket_id FROM social_crm_mention WHERE account_id = %s AND external_id = %s", [account_id, message_id]
    )
    row = cursor.fetchone()
    return row and row[0]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def set_yield(cursor, on):
    cursor.execute(
        "INSERT INTO ir_config_parameter (key, value, create_date, write_date, create_uid, write_uid)"
        " VALUES (%s, %s, now(), now(), 1, 1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        [YIELD_PARAM, "1" if on else "0"],
    )


def wait_drained(cursor, account_id, pattern, limit=600):
    """Seconds until no event matching ``pattern`` is pending (or ``limit``)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        cursor.execute(
            "SELECT count(*) FROM social_crm_event WHERE account_id = %s AND event_id LIKE %s AND state = 'pending'",
            [account_id, pattern],
        )
        if not cursor.fetchone()[0]:
            break
        time.sleep(0.2)
    return time.perf_counter() - started


def burst(url, cursor, account_id, tag, rate, seconds):
    """Deliveries at ``rate``/s for ``seconds``; the figures of the run."""
    import requests

    total = int(rate * seconds)
    latencies, statuses = [], []
    local = threading.local()

    def deliver(n):
        local.session = getattr(local, "session", None) or requests.Session()
        user = f"Ubench{n % PEOPLE:027d}"
        body, headers = signed(f"{tag}-{n}", f"{tag}M{n:06d}", TEXTS[n % len(TEXTS)], user)
        started = time.perf_counter()
        try:
            status = local.session.post(url, data=body, headers=headers, timeout=30).status_code
        except requests.RequestException:
            status = 0
        latencies.append(time.perf_counter() - started)
        statuses.append(status)

    begin = time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for n in range(total):
            delay = begin + n / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(deliver, n)
    drained = wait_drained(cursor, account_id, f"{tag}-%")
    cursor.execute(
        "SELECT state, count(*) FROM social_crm_event WHERE account_id = %s AND event_id LIKE %s GROUP BY state",
        [account_id, f"{tag}-%"],
    )
    states = dict(cursor.fetchall())
    return {
        "sent": total,
        "ok": statuses.count(200),
        "other": sorted(set(statuses) - {200}),
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "max": max(latencies) * 1000,
        "stored": sum(states.values()),
        "done": states.get("done", 0),
        "failed": states.get("failed", 0),
        "drained": drained,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="social_crm_bench_hooks")
    parser.add_argument("--rate", type=float, default=50.0, help="deliveries per second")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--idle-samples", type=int, default=3)
    parser.add_argument("--baseline", action="store_true", help="also run the burst with yielding off, first")
    parser.add_argument("--smoke", action="store_true", help="a tiny burst (5/s for 2 s): does the bench still run")
    args = parser.parse_args()
    if args.smoke:
        args.rate, args.seconds, args.idle_samples = 5.0, 2.0, 1

    import psycopg2
    import requests

    httpd, api_url = serve("application/json", profile)
    account_id, key = prepare(args.db, api_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    conn = psycopg2.connect(dbname=args.db)
    conn.autocommit = True
    cursor = conn.cursor()
    set_yield(cursor, True)
    odoo = start_odoo(args.db, port, args.workers)
    run = int(time.time())
    try:
        wait_up(requests, base)
        url = f"{base}/social_crm/webhook/{key}"

        # 1. Idle: delivery to ticket.
        to_ticket = []
        session = requests.Session()
        body, headers = signed(f"warm-{run}", f"W{run}", TEXTS[0])
        session.post(url, data=body, headers=headers, timeout=30)  # loads the NLP models in the cron worker
        wait_drained(cursor, account_id, f"warm-{run}", limit=120)
        for n in range(args.idle_samples):
            message_id = f"{run}{n:04d}"
            body, headers = signed(f"idle-{run}-{n}", message_id, TEXTS[0])
            started = time.perf_counter()
            assert session.post(url, data=body, headers=headers, timeout=10).status_code == 200
            while not ticket_of(cursor, account_id, message_id):
                if time.perf_counter() - started > 60:
                    raise SystemExit("no ticket after 60 s")
                time.sleep(0.02)
            to_ticket.append(time.perf_counter() - started)
            time.sleep(1)

        # 2. Acknowledgement latency of one delivery at a time (no queueing).
        sequential = []
        for n in range(40):
            body, headers = signed(f"seq-{run}-{n}", f"S{run}{n:04d}", TEXTS[n % len(TEXTS)])
            started = time.perf_counter()
            session.post(url, data=body, headers=headers, timeout=10)
            sequential.append(time.perf_counter() - started)
        wait_drained(cursor, account_id, f"seq-{run}-%", limit=120)
        time.sleep(2)

        # 3. Bursts: yielding off (baseline) then on, on the same server.
        results = {}
        for mode in (["baseline"] if args.baseline else []) + ["yielding"]:
            set_yield(cursor, mode == "yielding")
            time.sleep(1)
            results[mode] = burst(url, cursor, account_id, f"{mode}-{run}", args.rate, args.seconds)
            time.sleep(2)
        set_yield(cursor, True)

        print(f"CPU cores: {os.cpu_count()} (shared with other work: figures are indicative)")
        print(f"Odoo: --workers={args.workers} --max-cron-threads=1")
        if to_ticket:
            print(
                f"delivery to ticket at idle: median {statistics.median(to_ticket):.2f} s, "
                f"max {max(to_ticket):.2f} s ({len(to_ticket)} deliveries)"
            )
        print(
            f"acknowledgement one at a time: p50 {percentile(sequential, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(sequential, 0.99) * 1000:.0f} ms"
        )
        print(f"burst: {args.rate:g} deliveries/s for {args.seconds:g} s ({int(args.rate * args.seconds)} deliveries)")
        rows = [
            ("answered 200", "{ok}/{sent}"),
            ("other statuses", "{other}"),
            ("ack p50 (ms)", "{p50:.0f}"),
            ("ack p99 (ms)", "{p99:.0f}"),
            ("ack max (ms)", "{max:.0f}"),
            ("events stored", "{stored}"),
            ("processed (done)", "{done}"),
            ("failed", "{failed}"),
            ("drained after burst (s)", "{drained:.1f}"),
        ]
        modes = list(results)
        print(f"{'':<26}" + "".join(f"{mode:>14}" for mode in modes))
        for label, form in rows:
            print(f"{label:<26}" + "".join(f"{form.format(**results[mode]):>14}" for mode in modes))
        print("targets (issue 25): every delivery 200, p99 < 250 ms, nothing lost, drained within 30 s")
    finally:
        odoo.terminate()
        odoo.wait(30)
        httpd.shutdown()


if __name__ == "__main__":
    main()
