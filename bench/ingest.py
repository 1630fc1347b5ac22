"""End-to-end ingestion benchmark (issue: reports/pipeline speed).

A 3,000-post Atom feed in six languages is served on loopback; one
``action_fetch_now()`` takes it through the whole pipeline (store, language,
sentiment, intent, identities, threads, tickets) in a real database. In the
same run, the same number of rows goes through a raw SQL INSERT for scale.

Usage: python bench/ingest.py [--posts 3000] [--db social_crm_bench]
(needs the Odoo provisioned by scripts/run.sh; texts come from ../shared/data).
"""

import argparse
import csv
import os
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import environment  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "sentiment")
FILES = [
    "en_tweeteval_train.tsv",
    "th_wisesight_train.tsv",
    "fa_deepsentipers_train.tsv",
    "es_umsab_train.tsv",
    "de_umsab_train.tsv",
    "fr_umsab_train.tsv",
]


def texts(count, seed=7):
    rng = random.Random(seed)
    pools = []
    for name in FILES:
        with open(os.path.join(DATA, name), encoding="utf-8") as handle:
            rows = [row["text"] for row in csv.DictReader(handle, delimiter="\t")]
        pools.append(rng.sample(rows, min(len(rows), count)))
    return [pools[i % len(pools)][i // len(pools)] for i in range(count)]


def atom_feed(bodies, run_id):
    entries = []
    for n, body in enumerate(bodies):
        entries.append(
            f"<entry><id>urn:bench:{run_id}:{n}</id><title>post {n}</title>"
            f'<link href="https://forum.example.com/t/{run_id}/{n}"/>'
            f"<updated>2026-11-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z</updated>"
            f"<author><name>User {n % 700}</name><uri>https://forum.example.com/u/{n % 700}</uri></author>"
            f'<content type="text">{escape(body)}</content></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>bench</title><id>urn:bench:{run_id}</id><updated>2026-11-01T00:00:00Z</updated>"
        + "".join(entries)
        + "</feed>"
    ).encode()


def serve(payload):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--db", default="social_crm_bench")
    opts = parser.parse_args()
    run_id = str(int(time.time()))
    bodies = texts(opts.posts)
    server = serve(atom_feed(bodies, run_id))
    url = f"http://127.0.0.1:{server.server_address[1]}/feed.atom"
    with environment(opts.db) as env:
        account = env["social_crm.account"].create(
            {
                "name": f"bench {run_id}",
                "network": "feed",
                "base_url": url,
                "state": "connected",
            }
        )
        # A worker has analyzed mentions before: every model it needs is loaded once per process
        # (langdetect's profiles too, which only texts the script table cannot decide would load).
        from odoo.addons.social_crm.nlp import language

        language._langdetect()
        env["social_crm.mention"]._analyze_texts(texts(300, seed=1))
        env.cr.commit()
        started = time.perf_counter()
        account.action_fetch_now()
        env.flush_all()
        elapsed = time.perf_counter() - started
        env.cr.commit()
        stored = account.mention_count
        tickets = env["helpdesk.ticket"].search_count([("social_thread_id.account_id", "=", account.id)])
        langs = dict(env["social_crm.mention"]._read_group([("account_id", "=", account.id)], ["lang"], ["__count"]))

        # The storing step alone: the same items, parsed and analyzed beforehand, through _ingest_items.
        from odoo.addons.social_crm.connectors import get_client

        store_account = env["social_crm.account"].create(
            {"name": f"bench store {run_id}", "network": "feed", "base_url": url, "state": "connected"}
        )
        items = [item for page in get_client("feed", base_url=url).fetch() for item in page.items]
        for item in items:
            item.external_id += ":store"
        Mention = env["social_crm.mention"]
        analysis = Mention._analyze_texts([item.text for item in items])
        originals = (type(Mention)._analyze_texts, type(Mention)._after_ingest)
        type(Mention)._analyze_texts = lambda self, texts, accurate=False: analysis[: len(texts)]
        type(Mention)._after_ingest = lambda self: {}
        try:
            started = time.perf_counter()
            Mention._ingest_items(store_account, items)
            env.flush_all()
            store_elapsed = time.perf_counter() - started
        finally:
            type(Mention)._analyze_texts, type(Mention)._after_ingest = originals
        env.cr.commit()

        started = time.perf_counter()
        env.cr.execute(
            """
            INSERT INTO social_crm_mention (account_id, company_id, network, external_id, body, posted_at,
                                            direction, nlp_state, create_uid, write_uid, create_date, write_date)
            SELECT %s, %s, 'feed', 'raw:' || %s || ':' || n, b, now(), 'inbound', 'pending', 1, 1, now(), now()
              FROM unnest(%s::text[]) WITH ORDINALITY AS t(b, n)
            """,
            [account.id, account.company_id.id, run_id, bodies],
        )
        raw_elapsed = time.perf_counter() - started
        env.cr.rollback()
    server.shutdown()
    print(f"machine: {os.cpu_count()} cores; posts: {opts.posts}; stored: {stored}; tickets: {tickets}")
    print(f"languages: {dict(sorted(((k or '-'), v) for k, v in langs.items()))}")
    print(
        f"end to end (fetch, parse, store, analyze, relate, ticket): {elapsed:.2f} s = {stored / elapsed:,.0f} mentions/s"
    )
    print(
        f"storing step alone (identities, threads, mentions; no analysis, no tickets): "
        f"{store_elapsed:.2f} s = {len(items) / store_elapsed:,.0f} mentions/s"
    )
    print(f"raw SQL INSERT of the same rows: {raw_elapsed:.3f} s = {opts.posts / raw_elapsed:,.0f} rows/s")


if __name__ == "__main__":
    main()
