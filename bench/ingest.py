"""End-to-end ingestion benchmark (issue 25: ingest speed as the contacts grow).

An Atom feed in six languages is served on loopback; one ``action_fetch_now()``
takes it through the whole pipeline (store, language, sentiment, intent,
identities, contacts, threads, tickets) in a real database. In the same run:

1. the feed ingested as the database is (rate without the extra contacts);
2. with ``--contacts N``: N contacts (names, e-mails, phones, social handles,
   some websites) loaded with one ``INSERT ... SELECT generate_series`` and their
   normalized columns filled as Odoo fills them, then the same feed (new post
   and author ids) ingested again (rate with them) and the ratio;
3. the storing step alone (the same items parsed and analyzed beforehand);
4. a raw SQL INSERT of the same rows, and each end-to-end rate as a ratio of it.

Usage: python bench/ingest.py [--posts 3000] [--contacts 300000] [--db social_crm_bench]
       [--profile FILE] [--smoke]
(needs the Odoo provisioned by scripts/run.sh; texts come from ../shared/data, or
built-in sentences when that folder is missing). The bench contacts stay in the
database (found again by their reference) and are reused by the next run.
"""

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import sys
import time
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import environment, serve  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "sentiment")
FILES = [
    "en_tweeteval_train.tsv",
    "th_wisesight_train.tsv",
    "fa_deepsentipers_train.tsv",
    "es_umsab_train.tsv",
    "de_umsab_train.tsv",
    "fr_umsab_train.tsv",
]
FALLBACK = [
    "My order is two weeks late and nobody answers, this is terrible",
    "สั่งของไปแล้วยังไม่ได้รับเลย ช่วยตรวจสอบให้หน่อยค่ะ",
    "سفارشم هنوز نرسیده، لطفا پیگیری کنید",
    "El pedido llegó roto, quiero una devolución",
    "Die Lieferung ist angekommen, vielen Dank!",
    "Le service client est vraiment excellent, merci",
]
CONTACT_REF = "social_crm_bench_contact"
ALLOWED_HOSTS = "127.0.0.1,localhost"


def texts(count, seed=7):
    rng = random.Random(seed)
    if not os.path.isdir(DATA):
        return [f"{FALLBACK[i % len(FALLBACK)]} #{i}" for i in range(count)]
    pools = []
    for name in FILES:
        with open(os.path.join(DATA, name), encoding="utf-8") as handle:
            rows = [row["text"] for row in csv.DictReader(handle, delimiter="\t")]
        pools.append(rng.sample(rows, min(len(rows), count)))
    return [pools[i % len(pools)][(i // len(pools)) % len(pools[i % len(pools)])] for i in range(count)]


def atom_feed(bodies, run_id):
    """Posts by 700 authors (their forum profile links are new in each run: nobody is known yet)."""
    entries = []
    for n, body in enumerate(bodies):
        entries.append(
            f"<entry><id>urn:bench:{run_id}:{n}</id><title>post {n}</title>"
            f'<link href="https://forum.example.com/t/{run_id}/{n}"/>'
            f"<updated>2026-11-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z</updated>"
            f"<author><name>User {n % 700}</name><uri>https://forum.example.com/u/{run_id}-{n % 700}</uri></author>"
            f'<content type="text">{escape(body)}</content></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>bench</title><id>urn:bench:{run_id}</id><updated>2026-11-01T00:00:00Z</updated>"
        + "".join(entries)
        + "</feed>"
    ).encode()


def serve_feed(bodies, run_id):
    """``atom_feed(bodies, run_id)`` on a loopback server; returns (server, the feed's URL)."""
    payload = atom_feed(bodies, run_id)
    server, url = serve("application/atom+xml", lambda path: payload)
    return server, f"{url}/feed.atom"


def load_contacts(env, count):
    """``count`` customers with what B2C contacts carry, in one INSERT; returns how many were added.

    Every row gets a name, an e-mail, a phone, a mobile for half, social handles (Bluesky, Mastodon or a
    forum profile link) and, for one in ten, a company website. The columns Odoo computes on create
    (complete name, commercial partner, normalized e-mail, customer flag; sanitized phone when SMS is
    installed, the matching keys of the social handles) are filled the way Odoo fills them (checked on a
    sample); the statistics are refreshed as autovacuum would.
    """
    from odoo.addons.social_crm.tools.contact_keys import handle_keys

    cr = env.cr
    cr.execute("SELECT count(*) FROM res_partner WHERE ref = %s", [CONTACT_REF])
    have = cr.fetchone()[0]
    if have >= count:
        return 0
    started = time.perf_counter()
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'res_partner' AND column_name = 'phone_sanitized'"
    )
    # with SMS installed, mail.thread.phone's E.164 number, the mobile first
    sanitized = (
        ("phone_sanitized, ", "'+' || regexp_replace(coalesce(mobile, phone), '\\D', '', 'g'), ")
        if cr.fetchone()
        else ("", "")
    )
    cr.execute(
        f"""
        INSERT INTO res_partner (id, commercial_partner_id, name, complete_name, ref, email, email_normalized,
                                 phone, mobile, {sanitized[0]}website, social_handles, social_handle_keys,
                                 active, type, is_company,
                                 partner_share, lang, color, create_uid, write_uid, create_date, write_date)
        SELECT id, id, name, name, %(ref)s, email, email, phone, mobile, {sanitized[1]}website, handles, keys,
               true, 'contact', false, true, 'en_US', 0, 1, 1, now(), now()
          FROM (
            SELECT nextval('res_partner_id_seq') AS id,
                   'Contact ' || n || ' ' || (ARRAY['Somchai','Sara','Jane','Ali','Maria','Lukas'])[1 + n %% 6] AS name,
                   'contact' || n || '@' || (ARRAY['gmail.com', 'example.co.th', 'mail.ir',
                                                   'shop' || (n %% 5000) || '.com'])[1 + n %% 4] AS email,
                   '+66 8' || lpad((n %% 100000000)::text, 8, '0') AS phone,
                   CASE WHEN n %% 2 = 0 THEN '+98 912 ' || lpad((n %% 10000000)::text, 7, '0') END AS mobile,
                   CASE WHEN n %% 10 = 0 THEN 'https://www.shop' || (n %% 5000) || '.com' END AS website,
                   CASE n %% 3 WHEN 0 THEN '@contact' || n || '.bsky.social'
                               WHEN 1 THEN '@contact' || n || '@mastodon.social'
                               ELSE 'https://forum.example.com/u/member' || n END AS handles,
                   CASE n %% 3 WHEN 0 THEN 'contact' || n || '.bsky.social'
                               WHEN 1 THEN 'contact' || n || '@mastodon.social'
                               ELSE 'forum.example.com/u/member' || n || ' https://forum.example.com/u/member' || n
                   END AS keys
              FROM generate_series(%(start)s, %(stop)s) AS n
          ) AS contact
        """,  # noqa: S608 - the optional column is a constant
        {"ref": CONTACT_REF, "start": have + 1, "stop": count},
    )
    # the keys were written by SQL: they must be what Odoo computes
    sample = env["res.partner"].search([("ref", "=", CONTACT_REF)], limit=30, order="id desc")
    for partner in sample:
        if partner.social_handle_keys != handle_keys(partner.social_handles):
            raise SystemExit(
                f"bench keys {partner.social_handle_keys!r} differ from Odoo's for {partner.social_handles!r}"
            )
    cr.execute("ANALYZE res_partner")
    env.invalidate_all()
    cr.commit()
    print(f"loaded {count - have:,} contacts in {time.perf_counter() - started:.1f} s", flush=True)
    return count - have


def fetch_run(env, label, bodies, profile=None):
    """One action_fetch_now() of a new account on a new feed; returns (seconds, mentions, tickets, account)."""
    run_id = f"{label}{int(time.time() * 1000)}"
    server, url = serve_feed(bodies, run_id)
    account = env["social_crm.account"].create(
        {"name": f"bench {run_id}", "network": "feed", "base_url": url, "state": "connected"}
    )
    env.cr.commit()
    try:
        started = time.perf_counter()
        if profile:
            profile.enable()
        account.action_fetch_now()
        env.flush_all()
        if profile:
            profile.disable()
        elapsed = time.perf_counter() - started
    finally:
        server.shutdown()
    env.cr.commit()
    tickets = env["helpdesk.ticket"].search_count([("social_thread_id.account_id", "=", account.id)])
    return elapsed, account.mention_count, tickets, account


def store_run(env, bodies):
    """The storing step alone: the same items, parsed and analyzed beforehand, through _ingest_items."""
    from odoo.addons.social_crm.connectors import get_client

    run_id = f"store{int(time.time() * 1000)}"
    server, url = serve_feed(bodies, run_id)
    account = env["social_crm.account"].create(
        {"name": f"bench {run_id}", "network": "feed", "base_url": url, "state": "connected"}
    )
    try:
        client = get_client("feed", base_url=url, allowed_hosts=ALLOWED_HOSTS)
        items = [item for page in client.fetch() for item in page.items]
    finally:
        server.shutdown()
    Mention = env["social_crm.mention"]
    analysis = Mention._analyze_texts([item.text for item in items])
    originals = (type(Mention)._analyze_texts, type(Mention)._after_ingest)
    type(Mention)._analyze_texts = lambda self, texts, accurate=False: analysis[: len(texts)]
    type(Mention)._after_ingest = lambda self: {}
    try:
        started = time.perf_counter()
        Mention._ingest_items(account, items)
        env.flush_all()
        elapsed = time.perf_counter() - started
    finally:
        type(Mention)._analyze_texts, type(Mention)._after_ingest = originals
    env.cr.commit()
    return elapsed, len(items)


def raw_insert(env, account, bodies):
    """The same rows through one raw SQL INSERT (rolled back)."""
    started = time.perf_counter()
    env.cr.execute(
        """
        INSERT INTO social_crm_mention (account_id, company_id, network, external_id, body, posted_at,
                                        direction, nlp_state, visibility, create_uid, write_uid, create_date,
                                        write_date)
        SELECT %s, %s, 'feed', 'raw:' || n, b, now(), 'inbound', 'pending', 'public', 1, 1, now(), now()
          FROM unnest(%s::text[]) WITH ORDINALITY AS t(b, n)
        """,
        [account.id, account.company_id.id, bodies],
    )
    elapsed = time.perf_counter() - started
    env.cr.rollback()
    return elapsed


# Where the milliseconds of a mention go: (label, function names whose cumulative time it is, minus those).
STAGES = [
    ("fetch and parse (connector)", ["fetch"], []),
    ("analysis (language, sentiment, intent)", ["_analyze_texts"], []),
    ("identities", ["_upsert_identities"], []),
    ("conversations", ["_ensure_threads"], []),
    ("keywords", ["_tag_mentions"], []),
    ("contact matching", ["_link_contacts"], []),
    ("ticket rules and routing", ["_route_claimed"], ["_social_create"]),
    ("ticket create (ORM create, numbers, stages)", ["_social_create"], ["_social_announce_creation"]),
    ("chatter: creation message, followers, notifications", ["_social_announce_creation"], []),
    ("conversation statistics", ["_refresh_stats"], []),
    ("everything (action_fetch_now)", ["action_fetch_now"], []),
]


def print_stages(profile, mentions, title):
    stats = pstats.Stats(profile).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}

    def cumulative(names):
        return max(
            (
                ct
                for (path, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.items()
                if name in names and "social_crm" in path
            ),
            default=0,
        )

    print(f"where the time goes, {title}: ms per mention")
    for label, names, minus in STAGES:
        seconds = cumulative(names) - cumulative(minus)
        print(f"  {label:55s} {seconds * 1000 / max(mentions, 1):7.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--contacts", type=int, default=0, help="extra contacts for the second run (e.g. 300000)")
    parser.add_argument("--db", default="social_crm_bench")
    parser.add_argument("--profile", help="write the cProfile of the first end-to-end run here and print its top")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: proves the bench still runs")
    opts = parser.parse_args()
    if opts.smoke:
        opts.posts, opts.contacts = 60, 500
    bodies = texts(opts.posts)
    with environment(opts.db) as env:
        env["ir.config_parameter"].sudo().set_param("social_crm.allowed_hosts", ALLOWED_HOSTS)
        # A worker has analyzed mentions before: every model it needs is loaded once per process
        # (langdetect's profiles too, which only texts the script table cannot decide would load).
        from odoo.addons.social_crm.nlp import language

        language._langdetect()
        env["social_crm.mention"]._analyze_texts(texts(300, seed=1))
        env.cr.commit()
        contacts_before = env["res.partner"].search_count([("ref", "=", CONTACT_REF)])
        if contacts_before and opts.contacts:
            print(f"note: {contacts_before:,} bench contacts are already here: the first run has them too")

        profile = cProfile.Profile() if opts.profile else None
        elapsed, stored, tickets, account = fetch_run(env, "a", bodies, profile)
        if not stored:
            raise SystemExit("the feed stored no mention")
        langs = dict(env["social_crm.mention"]._read_group([("account_id", "=", account.id)], ["lang"], ["__count"]))
        with_contacts = None
        profile_b = cProfile.Profile() if opts.profile and opts.contacts else None
        if opts.contacts:
            load_contacts(env, opts.contacts)
            partners = env["res.partner"].search_count([])
            with_contacts = (*fetch_run(env, "b", bodies, profile_b)[:3], partners)
            if with_contacts[1] != stored:
                raise SystemExit(f"second run stored {with_contacts[1]} mentions, the first {stored}")
        store_elapsed, store_count = store_run(env, bodies)
        raw_elapsed = raw_insert(env, account, bodies)

    raw_rate = opts.posts / raw_elapsed
    rate = stored / elapsed
    print(f"machine: {os.cpu_count()} cores; posts: {opts.posts}; stored: {stored}; tickets: {tickets}")
    print(f"languages: {dict(sorted(((k or '-'), v) for k, v in langs.items()))}")
    print(
        f"end to end (fetch, parse, store, analyze, relate, ticket), {contacts_before:,} bench contacts: "
        f"{elapsed:.2f} s = {rate:,.0f} mentions/s"
    )
    if with_contacts:
        elapsed_b, stored_b, tickets_b, partners = with_contacts
        rate_b = stored_b / elapsed_b
        print(
            f"end to end with {partners:,} contacts in the database: {elapsed_b:.2f} s = {rate_b:,.0f} mentions/s "
            f"({tickets_b} tickets); ratio with/without: {rate_b / rate:.2f} (target >= 0.9)"
        )
    print(
        f"storing step alone (identities, threads, mentions; no analysis, no tickets): "
        f"{store_elapsed:.2f} s = {store_count / store_elapsed:,.0f} mentions/s"
    )
    print(f"raw SQL INSERT of the same rows: {raw_elapsed:.3f} s = {raw_rate:,.0f} rows/s")
    print(f"end to end / raw INSERT: {rate / raw_rate:.3f} (target >= 0.10, goal 0.25)", end="")
    print(f"; with the contacts: {(with_contacts[1] / with_contacts[0]) / raw_rate:.3f}" if with_contacts else "")
    if profile:
        profile.dump_stats(opts.profile)
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())
        print_stages(profile, stored, f"without the bench contacts ({opts.profile})")
    if profile_b:
        profile_b.dump_stats(opts.profile + ".contacts")
        print_stages(profile_b, with_contacts[1], f"with the contacts ({opts.profile}.contacts)")


if __name__ == "__main__":
    main()
