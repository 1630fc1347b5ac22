"""Webhook intake benchmark (issue 15): signed LINE deliveries over loopback into a running Odoo.

Starts ``odoo-bin`` with ``--workers`` (prefork: HTTP workers answer deliveries, a cron worker
processes them when woken by ``ir.cron._trigger()``) on a bench database, then measures:

1. seconds from delivery to ticket at idle (one Thai message at a time, waiting for its ticket);
2. acknowledgement latency p50/p99 and events/s accepted at a steady rate (default 50 deliveries/s);
3. how long the processing cron takes to drain what was accepted.

LINE's profile API is served on loopback (the bench account points there), so nothing leaves the machine.

Usage: python bench/webhooks.py [--rate 50] [--seconds 20] [--workers 2] [--db social_crm_bench_hooks]
(needs the Odoo provisioned by scripts/run.sh; the machine's CPU is shared, so numbers vary.)
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import CONF, ODOO_DIR, PYTHON, environment  # noqa: E402

SECRET = "bench-channel-secret-0123456789ab"
USER = "Ubench000000000000000000000000001"
TEXTS = [
    "สวัสดีครับ สั่งของไปสามวันแล้วยังไม่ได้รับเลย ช่วยตรวจสอบให้หน่อยได้ไหมครับ",
    "สินค้าชำรุด ต้องการเปลี่ยนสินค้าค่ะ",
    "ขอบคุณมากครับ บริการดีมาก",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def profile_server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"displayName": "ผู้ทดสอบ", "userId": USER, "pictureUrl": ""}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


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


def signed(event_id, message_id, text):
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
                    "source": {"type": "user", "userId": USER},
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
    command = [
        PYTHON,
        os.path.join(ODOO_DIR, "odoo-bin"),
        "-c",
        CONF,
        "-d",
        db,
        "--db-filter",
        f"^{db}$",
        "--http-port",
        str(port),
        "--gevent-port",
        str(free_port()),
        f"--workers={workers}",
        "--max-cron-threads=1",
        "--log-level=warn",
    ]
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="social_crm_bench_hooks")
    parser.add_argument("--rate", type=float, default=50.0, help="deliveries per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--idle-samples", type=int, default=5)
    args = parser.parse_args()

    import psycopg2
    import requests

    httpd, api_url = profile_server()
    account_id, key = prepare(args.db, api_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    odoo = start_odoo(args.db, port, args.workers)
    run = int(time.time())
    try:
        wait_up(requests, base)
        url = f"{base}/social_crm/webhook/{key}"
        conn = psycopg2.connect(dbname=args.db)
        conn.autocommit = True
        cursor = conn.cursor()

        # 1. Idle: delivery to ticket.
        to_ticket = []
        session = requests.Session()
        body, headers = signed(f"warm-{run}", f"W{run}", TEXTS[0])
        session.post(url, data=body, headers=headers, timeout=30)  # loads the NLP models in the cron worker
        time.sleep(5)
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
        time.sleep(3)

        # 3. Steady rate: acknowledgement latency and accepted events/s.
        total = int(args.rate * args.seconds)
        latencies, statuses = [], []
        local = threading.local()

        def deliver(n):
            local.session = getattr(local, "session", None) or requests.Session()
            body, headers = signed(f"load-{run}-{n}", f"L{run}{n:06d}", TEXTS[n % len(TEXTS)])
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
                delay = begin + n / args.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(deliver, n)
        sent_for = time.perf_counter() - begin
        accepted = statuses.count(200)

        # 4. Drain: until every accepted event is processed.
        drain_start = time.perf_counter()
        while True:
            cursor.execute(
                "SELECT count(*) FROM social_crm_event WHERE account_id = %s AND event_id LIKE %s AND state = 'pending'",
                [account_id, f"load-{run}-%"],
            )
            if not cursor.fetchone()[0] or time.perf_counter() - drain_start > 600:
                break
            time.sleep(0.5)
        drained = time.perf_counter() - drain_start

        print(f"CPU cores: {os.cpu_count()} (shared with other work: figures are indicative)")
        print(f"Odoo: --workers={args.workers} --max-cron-threads=1")
        print(
            f"delivery to ticket at idle: median {statistics.median(to_ticket):.2f} s, "
            f"max {max(to_ticket):.2f} s ({len(to_ticket)} deliveries)"
        )
        print(
            f"acknowledgement one at a time: p50 {percentile(sequential, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(sequential, 0.99) * 1000:.0f} ms"
        )
        print(
            f"{total} deliveries at {args.rate:g}/s: {accepted} accepted ({accepted / sent_for:.1f} events/s), "
            f"other statuses: {sorted(set(statuses) - {200})}"
        )
        print(
            f"acknowledgement latency: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms"
        )
        print(f"processing drained the queue {drained:.1f} s after the last delivery")
    finally:
        odoo.terminate()
        odoo.wait(30)
        httpd.shutdown()


if __name__ == "__main__":
    main()
