# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..connectors import errors as api_errors
from ..connectors.models import FetchPage
from .common import SocialCrmCommon
from .loopback import LoopbackServer

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Acme community forum</title>
  <id>urn:acme:forum</id>
  <updated>2026-11-01T10:00:00Z</updated>
  {entries}
</feed>"""
ENTRY = """<entry>
    <id>urn:acme:post:{n}</id>
    <title>Post {n}</title>
    <link href="https://forum.example.com/t/{n}"/>
    <updated>2026-11-01T{hh:02d}:{mm:02d}:00Z</updated>
    <author><name>User {n}</name><uri>https://forum.example.com/u/user{n}</uri></author>
    <content type="html">{body}</content>
  </entry>"""


def atom(bodies):
    entries = "\n".join(ENTRY.format(n=n, hh=9 + n // 60, mm=n % 60, body=body) for n, body in enumerate(bodies))
    return ATOM.format(entries=entries)


class ScriptedClient:
    """Plays back pages (or exceptions) for the Odoo-side pipeline tests."""

    can_reply = True
    max_length = 300

    def __init__(self, steps):
        self.steps = steps
        self.cursors_seen = []
        self.answered = 0  # as BaseClient: answers received, so the account knows its token was checked

    def fetch(self, cursor=None, keywords=(), max_pages=20):
        self.cursors_seen.append(cursor)
        for step in self.steps:
            if isinstance(step, Exception):
                raise step
            self.answered += 1
            yield step


@tagged("social_crm", "social_crm_ingest", "post_install", "-at_install")
class TestIngest(SocialCrmCommon):
    def page(self, ids, cursor, minutes=0):
        return FetchPage(
            items=[self.make_item(f"at://jane/post/{i}", f"message {i}", minutes=minutes + i) for i in ids],
            cursor=cursor,
            has_more=True,
            skipped=[],
        )

    def fetch_with(self, client, account=None):
        account = account or self.account
        with patch.object(type(account), "_get_client", lambda self: client):
            return account._fetch_mentions()

    def test_feed_over_loopback_lands_once(self):
        with LoopbackServer() as server:
            server.route(
                "GET",
                "/forum.atom",
                (
                    200,
                    {"Content-Type": "application/atom+xml"},
                    atom(["My order is late &lt;b&gt;again&lt;/b&gt;", "ยังไม่ได้รับของเลยครับ", "سفارشم کی می‌رسه؟"]),
                ),
            )
            account = self.env["social_crm.account"].create(
                {
                    "name": "Forum",
                    "network": "feed",
                    "base_url": server.url + "/forum.atom",
                    "state": "connected",
                }
            )
            stored = account._fetch_mentions()
            self.assertEqual(stored, 3)
            self.assertEqual(account.mention_count, 3)
            self.assertEqual(account._fetch_mentions(), 0, "a re-fetch stores nothing twice")
        mentions = account.mention_ids
        self.assertEqual(account.state, "connected")
        self.assertTrue(account.last_sync_at)
        self.assertEqual(len(mentions), 3)
        late = mentions.filtered(lambda m: "late" in m.body)
        self.assertNotIn("<b>", late.body, "HTML is stored as plain text")
        self.assertEqual(sorted(mentions.mapped("lang")), ["en", "fa", "th"])

    def test_cursor_moves_with_each_saved_page(self):
        client = ScriptedClient([self.page([1, 2], "c1"), self.page([3], "c2")])
        self.assertEqual(self.fetch_with(client), 3)
        self.assertEqual(self.account.sudo().cursor, "c2")
        client = ScriptedClient([self.page([4], "c3")])
        self.fetch_with(client)
        self.assertEqual(client.cursors_seen, ["c2"], "the next run resumes from the stored cursor")

    @mute_logger("odoo.addons.social_crm.models.social_crm_account")
    def test_crash_between_pages_loses_and_duplicates_nothing(self):
        crash = api_errors.ApiError("Bluesky answered 502: Bad Gateway.", "bluesky", status=502)
        client = ScriptedClient([self.page([1, 2], "c1"), crash])
        self.assertEqual(self.fetch_with(client), 2)
        self.assertEqual(self.account.state, "error")
        self.assertIn("502", self.account.last_error)
        self.assertEqual(self.account.sudo().cursor, "c1", "the cursor stays at the last saved page")
        # The next run resumes at c1; the network replays page 1 partly: no duplicate.
        client = ScriptedClient([self.page([2, 3], "c2")])
        self.assertEqual(self.fetch_with(client), 1)
        self.assertEqual(self.account.mention_count, 3)
        self.assertEqual(self.account.state, "connected")
        self.assertFalse(self.account.last_error)

    @mute_logger("odoo.addons.social_crm.models.social_crm_account")
    def test_a_bad_page_rolls_back_alone(self):
        bad = self.page([5], "c-bad")
        bad.items[0].posted_at = None  # a connector bug must not store half a page
        client = ScriptedClient([self.page([1], "c1"), bad])
        self.fetch_with(client)
        self.assertEqual(self.account.mention_count, 1)
        self.assertEqual(self.account.sudo().cursor, "c1")
        self.assertEqual(self.account.state, "error")

    def test_rate_limit_sets_a_wait_not_an_error(self):
        client = ScriptedClient([self.page([1], "c1"), api_errors.RateLimited("slow down", "bluesky", retry_after=120)])
        before = fields.Datetime.now()
        self.fetch_with(client)
        self.assertEqual(self.account.state, "connected")
        self.assertGreaterEqual(self.account.rate_limited_until, before + timedelta(seconds=119))
        self.assertEqual(self.account.mention_count, 1)
        # The cron leaves a rate-limited account alone until the wait is over.
        self.account.last_attempt_at = fields.Datetime.now() - timedelta(hours=1)
        with patch.object(type(self.account), "_fetch_mentions", autospec=True, return_value=0) as fetch:
            self.env["social_crm.account"]._cron_fetch_mentions()
        self.assertNotIn(self.account, [call.args[0] for call in fetch.call_args_list])

    @mute_logger("odoo.addons.social_crm.models.social_crm_account")
    def test_failing_account_does_not_stop_the_others(self):
        healthy = self.account.copy({"name": "Healthy", "state": "connected"})
        broken = self.account
        clients = {
            broken.id: ScriptedClient(
                [api_errors.AuthenticationFailed("token rejected by Bluesky: log in again", "bluesky")]
            ),
            healthy.id: ScriptedClient([self.page([7], "h1")]),
        }
        (broken | healthy).write({"last_attempt_at": False})
        with patch.object(type(broken), "_get_client", lambda self: clients[self.id]):
            self.env["social_crm.account"]._cron_fetch_mentions()
        self.assertEqual(broken.state, "error")
        self.assertIn("rejected the credentials", broken.last_error)
        self.assertIn("token rejected by Bluesky: log in again", broken.last_error)
        self.assertEqual(healthy.state, "connected")
        self.assertEqual(healthy.mention_count, 1)

    def test_overlapping_fetch_is_skipped(self):
        other = self.registry.cursor()
        try:
            other.execute("SELECT pg_advisory_lock(%s, %s)", (0x5C0C1A1, self.account.id))
            client = ScriptedClient([self.page([1], "c1")])
            self.assertEqual(self.fetch_with(client), 0)
            self.assertEqual(client.cursors_seen, [], "the second worker did not even call the network")
        finally:
            other.execute("SELECT pg_advisory_unlock_all()")
            other.close()
        self.assertEqual(self.fetch_with(ScriptedClient([self.page([1], "c1")])), 1)

    def test_analysis_failure_keeps_mentions_and_retries(self):
        with (
            patch("odoo.addons.social_crm.nlp.analyze", side_effect=RuntimeError("model file missing")),
            mute_logger("odoo.addons.social_crm.models.social_crm_mention"),
        ):
            mentions = self.ingest(
                [self.make_item("at://jane/post/1", "My order is two weeks late and nobody answers. This is terrible!")]
            )
        self.assertEqual(mentions.nlp_state, "pending")
        self.assertFalse(mentions.sentiment)
        self.assertFalse(mentions.ticket_id, "no decision without the analysis")
        self.env["social_crm.mention"]._cron_analyze()
        self.assertEqual(mentions.nlp_state, "fast")
        self.assertEqual(mentions.sentiment, "negative")
        self.assertTrue(mentions.ticket_id, "the complaint got its ticket once analyzed")
        self.env["social_crm.mention"]._cron_analyze()
        self.assertEqual(mentions.nlp_state, "accurate", "the background pass re-scores with the accurate tier")

    def test_own_posts_are_outbound_and_never_ticketed(self):
        mentions = self.ingest([self.brand_item("at://acme/post/1", "Our new store opens today! Any questions?")])
        self.assertEqual(mentions.direction, "outbound")
        self.assertFalse(mentions.ticket_id)
