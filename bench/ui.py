"""Server-side speed of what users open most (issue: reports and pipeline speed).

1. A contact with 10,000 mentions: read its form (the fields the form view
   shows) and the first page of its mentions. Target < 150 ms.
2. 1,000,000 mentions grouped by month and sentiment. Target < 1 s.
Data is inserted with SQL (generate_series) into a bench database once.
Usage: python bench/ui.py [--db social_crm_bench_ui] [--rows 1000000] [--smoke]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import environment  # noqa: E402


def seed(env, rows):
    cr = env.cr
    partner = env["res.partner"].search([("name", "=", "Bench Voice")], limit=1)
    if partner:  # seeded by an earlier run
        return partner
    print(f"seeding {rows:,} mentions ...", flush=True)
    account = env["social_crm.account"].create({"name": "bench ui", "network": "bluesky", "state": "connected"})
    partner = env["res.partner"].create({"name": "Bench Voice"})
    identities = env["social_crm.identity"].create(
        [
            {"network": "bluesky", "external_id": f"did:bench:{i}", "handle": f"u{i}.test", "name": f"User {i}"}
            for i in range(1000)
        ]
    )
    identities[0].partner_id = partner
    thread = env["social_crm.thread"].create({"account_id": account.id, "root_external_id": "bench-root"})
    env.flush_all()
    cr.execute(
        """
        INSERT INTO social_crm_mention (account_id, company_id, network, external_id, thread_id, identity_id,
                                        partner_id, body, posted_at, direction, lang, sentiment, sentiment_score,
                                        intent, nlp_state, visibility, create_uid, write_uid, create_date,
                                        write_date)
        SELECT %(account)s, %(company)s, 'bluesky', 'bench:' || n, %(thread)s,
               CASE WHEN n <= 10000 THEN %(identity)s ELSE %(first_identity)s + (n %% 1000) END,
               CASE WHEN n <= 10000 THEN %(partner)s ELSE NULL END,
               'bench mention number ' || n, now() - (n || ' minutes')::interval, 'inbound',
               (ARRAY['en','th','fa','es'])[1 + n %% 4],
               (ARRAY['negative','neutral','positive'])[1 + n %% 3], ((n %% 200) - 100) / 100.0,
               (ARRAY['complaint','question','praise','request','other'])[1 + n %% 5], 'fast', 'public',
               1, 1, now(), now()
          FROM generate_series(1, %(rows)s) AS n
        """,
        {
            "account": account.id,
            "company": account.company_id.id,
            "thread": thread.id,
            "identity": identities[0].id,
            "first_identity": identities[0].id,
            "partner": partner.id,
            "rows": rows,
        },
    )
    cr.execute("ANALYZE social_crm_mention")
    cr.commit()
    return partner


REPEAT = {"times": 7}


def timed(function, repeat=None):
    repeat = min(repeat or REPEAT["times"], REPEAT["times"])
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="social_crm_bench_ui")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one timing each: proves the bench runs")
    opts = parser.parse_args()
    if opts.smoke:
        opts.rows = 12_000
    REPEAT["times"] = 1 if opts.smoke else 7
    with environment(opts.db) as env:
        partner = seed(env, opts.rows)
        Partner = env["res.partner"]
        views = Partner.get_views([(False, "form")])
        form_fields = views["models"]["res.partner"]["fields"]
        spec = {
            name: {}
            for name in form_fields
            if Partner._fields.get(name)
            and Partner._fields[name].type not in ("one2many", "many2many")
            and Partner._fields[name].type != "many2one_reference"
        }
        spec["social_recent_mention_ids"] = {"fields": {"posted_at": {}, "body": {}, "sentiment": {}, "lang": {}}}
        spec["social_identity_ids"] = {"fields": {"network": {}, "handle": {}, "name": {}}}

        def read_form():
            env.invalidate_all()
            partner.web_read(spec)

        def first_page():
            env.invalidate_all()
            env["social_crm.mention"].web_search_read(
                [("partner_id", "=", partner.id)],
                {
                    "posted_at": {},
                    "body": {},
                    "sentiment": {},
                    "lang": {},
                    "intent": {},
                    "identity_id": {"fields": {"display_name": {}}},
                },
                limit=80,
            )

        def group_month_sentiment():
            env["social_crm.mention"]._read_group([], ["posted_at:month", "sentiment"], ["__count"])

        Mention = env["social_crm.mention"]
        since = datetime.now() - timedelta(days=90)

        def trend_per_account():
            Mention._read_group(
                [("direction", "=", "inbound"), ("posted_at", ">=", since)],
                ["posted_at:week", "account_id"],
                ["sentiment_score:avg"],
            )

        def top_voices():
            env.invalidate_all()
            env["social_crm.voice.report"].web_search_read(
                [],
                {
                    "identity_id": {"fields": {"display_name": {}}},
                    "mention_count": {},
                    "negative_share": {},
                    "followers": {},
                },
                limit=80,
                order="mention_count desc",
            )

        def share_of_voice():
            env["social_crm.share.report"]._read_group(
                [], ["posted_at:week", "group"], ["__count", "sentiment_score:avg"]
            )

        def spike_detection():
            env["social_crm.alert"]._cron_detect_spikes()
            env.cr.rollback()

        def tag_batch():
            batch = Mention.search([], limit=500)
            batch.mapped("body")
            env["social_crm.keyword"]._tag_mentions(batch)
            env.cr.rollback()

        if not env["social_crm.keyword"].search_count([]):
            env["social_crm.keyword"].create(
                [
                    {"name": "number 1", "brand": "Bench", "group": "own"},
                    {"name": "number 2", "brand": "Rival", "group": "competitor"},
                ]
            )
            env.cr.commit()
        print(f"machine: {os.cpu_count()} cores; mentions in table: {env['social_crm.mention'].search_count([]):,}")
        print(f"contact form with {partner.social_mention_count:,} mentions: {timed(read_form):.1f} ms (target < 150)")
        print(f"first page of the contact's mentions: {timed(first_page):.1f} ms (target < 150)")
        print(
            f"group {opts.rows:,} mentions by month and sentiment: {timed(group_month_sentiment, 3):.0f} ms (target < 1000)"
        )
        print(f"sentiment trend per account and week, last 90 days: {timed(trend_per_account, 3):.0f} ms")
        started = time.perf_counter()
        rows = env["social_crm.voice.report"]._refresh()
        env.cr.commit()
        print(f"top voices refresh (cron, {rows:,} voices): {(time.perf_counter() - started) * 1000:.0f} ms")
        print(f"top voices, first page: {timed(top_voices):.1f} ms")
        print(f"share of voice by week and group: {timed(share_of_voice, 3):.0f} ms")
        print(f"spike detection over all accounts: {timed(spike_detection, 3):.1f} ms")
        print(f"keyword tagging of a 500-mention batch: {timed(tag_batch, 3):.1f} ms")


if __name__ == "__main__":
    main()
