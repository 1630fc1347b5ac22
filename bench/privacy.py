"""Erasure benchmark (issue 25): erasing one person must not grow with the contacts and the chatter.

One person (20 posts in a conversation, a ticket, a reply, chatter naming them)
is erased on the small database (baseline); then ``--contacts`` contacts and
``--messages`` chatter messages (a tenth of them with tracked values) are
loaded with one INSERT ... SELECT generate_series each, another person of the
same shape is erased, and both times are printed side by side. The loaded rows
stay in the database: a second run only adds what is missing.

Usage: python bench/privacy.py [--contacts 300000] [--messages 1000000] [--db social_crm_bench]
       python bench/privacy.py --smoke      (2,000 contacts, 5,000 messages: a quick check)
Run the code of a worktree with SOCIAL_CRM_CONF pointing at an odoo.conf whose addons_path holds it.
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import environment  # noqa: E402

POSTS = 20
COMMON_NAMES = ("Anna", "Maria", "Somchai", "Janina", "Ali", "Olek")


def analyzed(texts, accurate=False):
    return [
        SimpleNamespace(lang="en", sentiment="negative", sentiment_score=-0.8, intent="complaint", model="bench")
        for _text in texts
    ]


def make_person(env, account, key):
    """A person with POSTS posts in one conversation, a ticket, an agent's reply and chatter naming them."""
    from odoo.addons.social_crm.connectors.models import Author, Item

    Mention = env["social_crm.mention"]
    author = Author(
        external_id=f"did:plc:{key}",
        handle=f"{key}.bench.test",
        name="Anna Bench",
        profile_url=f"https://bsky.app/profile/{key}.bench.test",
        followers=5,
    )
    base = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    root = f"at://did:plc:{key}/post/0"
    items = [
        Item(
            external_id=f"at://did:plc:{key}/post/{n}",
            author=author,
            text=f"Post {n} of {key}: my espresso machine leaked again, refund please",
            posted_at=base + timedelta(minutes=n),
            url=f"https://bsky.app/profile/{key}.bench.test/post/{n}",
            parent_id=root if n else None,
            root_id=root,
            extra={"cid": f"cid-{key}-{n}"},
        )
        for n in range(POSTS)
    ]
    original = type(Mention)._analyze_texts
    type(Mention)._analyze_texts = lambda self, texts, accurate=False: analyzed(texts)
    try:
        mentions = Mention._ingest_items(account, items)
    finally:
        type(Mention)._analyze_texts = original
    thread, ticket = mentions.thread_id[:1], (mentions.ticket_id | mentions.thread_id.ticket_id)[:1]
    env["social_crm.reply"].create(
        {"thread_id": thread.id, "parent_mention_id": mentions[:1].id, "body": "Hello Anna Bench, a new one is coming"}
    )
    if ticket:
        ticket.message_post(body=f"Called Anna Bench (@{key}.bench.test) about the refund", message_type="comment")
    env.flush_all()
    return mentions.identity_id


def load(env, contacts, messages):
    """Bring the database up to ``contacts`` extra contacts and ``messages`` extra chatter messages."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM res_partner WHERE ref LIKE 'bench-%'")
    have = cr.fetchone()[0]
    if have < contacts:
        cr.execute(
            """INSERT INTO res_partner (name, complete_name, email, phone, social_handles, ref, active, type,
                                        create_date, write_date)
               SELECT n.name, n.name, lower(n.first) || '.' || g || '@example.com', '+6681' || lpad(g::text, 7, '0'),
                      '@' || lower(n.first) || g || '.bsky.social', 'bench-' || g, true, 'contact',
                      now(), now()
                 FROM generate_series(%s, %s) g,
                      LATERAL (SELECT (%s::text[])[1 + g %% %s] AS first) f,
                      LATERAL (SELECT f.first || ' Contact ' || g AS name, f.first) n""",
            (have + 1, contacts, list(COMMON_NAMES), len(COMMON_NAMES)),
        )
    cr.execute("SELECT count(*) FROM mail_message WHERE message_id LIKE 'bench-%'")
    have = cr.fetchone()[0]
    if have < messages:
        cr.execute("SELECT min(id), max(id) FROM res_partner")
        low, high = cr.fetchone()
        cr.execute(
            """INSERT INTO mail_message (model, res_id, record_name, body, message_type, message_id, date,
                                         create_date, write_date)
               SELECT CASE WHEN g %% 3 = 0 THEN 'helpdesk.ticket' ELSE 'res.partner' END,
                      %s + g %% (%s - %s + 1),
                      'Record ' || g,
                      '<p>Call ' || (%s::text[])[1 + g %% %s] || ' back tomorrow about the invoice ' || g || '</p>',
                      'comment', 'bench-' || g, now(), now(), now()
                 FROM generate_series(%s, %s) g""",
            (low, high, low, list(COMMON_NAMES), len(COMMON_NAMES), have + 1, messages),
        )
        cr.execute(
            """INSERT INTO mail_tracking_value (mail_message_id, old_value_char, new_value_char, create_date, write_date)
               SELECT id, 'Invoice for ' || record_name, 'Paid: ' || record_name, now(), now()
                 FROM mail_message WHERE message_id LIKE 'bench-%' AND id % 10 = 0 AND id > (
                      SELECT coalesce(max(mail_message_id), 0) FROM mail_tracking_value)"""
        )
    cr.execute("ANALYZE res_partner; ANALYZE mail_message; ANALYZE mail_tracking_value")
    env.invalidate_all()


def erase(env, identity):
    env.flush_all()
    env.invalidate_all()
    started = time.perf_counter()
    identity.action_erase()
    env.flush_all()
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=300_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--db", default="social_crm_bench")
    parser.add_argument("--smoke", action="store_true", help="2,000 contacts and 5,000 messages")
    opts = parser.parse_args()
    if opts.smoke:
        opts.contacts, opts.messages = 2_000, 5_000
    run_id = str(int(time.time()))
    with environment(opts.db) as env:
        account = env["social_crm.account"].create(
            {"name": f"bench privacy {run_id}", "network": "bluesky", "base_url": "https://bsky.social"}
        )
        env.cr.commit()
        warm = make_person(env, account, f"w{run_id}")
        erase(env, warm)  # caches and registry warm
        small = make_person(env, account, f"s{run_id}")
        env.cr.execute("SELECT count(*) FROM res_partner")
        partners_before = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM mail_message")
        messages_before = env.cr.fetchone()[0]
        baseline = erase(env, small)
        env.cr.commit()

        started = time.perf_counter()
        load(env, opts.contacts, opts.messages)
        env.cr.commit()
        loaded = time.perf_counter() - started
        env.cr.execute("SELECT count(*) FROM res_partner")
        partners = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM mail_message")
        messages = env.cr.fetchone()[0]
        large = make_person(env, account, f"l{run_id}")
        elapsed = erase(env, large)
        env.cr.commit()
        assert not env["social_crm.mention"].search_count(
            [("identity_id", "=", large.id), ("body", "ilike", "espresso")]
        ), "the person's posts were erased"

    print(f"load: {loaded:.1f} s (once; later runs reuse the rows)")
    print(f"erasure of one person ({POSTS} posts, ticket, reply, chatter):")
    print(f"  baseline: {partners_before:>9,} contacts {messages_before:>10,} messages  {baseline * 1000:8.0f} ms")
    print(f"  large:    {partners:>9,} contacts {messages:>10,} messages  {elapsed * 1000:8.0f} ms")
    print(f"  ratio large/baseline: {elapsed / baseline:.2f}; target: large under 2,000 ms")


if __name__ == "__main__":
    main()
