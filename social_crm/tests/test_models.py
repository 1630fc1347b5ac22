# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SocialCrmCommon


@tagged("social_crm", "social_crm_models", "post_install", "-at_install")
class TestModels(SocialCrmCommon):
    def test_mention_unique_per_account(self):
        self.ingest([self.make_item("at://x/post/1", "hello @acme")])
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["social_crm.mention"].create(
                {
                    "account_id": self.account.id,
                    "external_id": "at://x/post/1",
                    "posted_at": "2026-11-01 10:00:00",
                }
            )

    def test_same_external_id_on_two_accounts_is_allowed(self):
        other = self.account.copy({"name": "Acme second brand"})
        first = self.ingest([self.make_item("at://x/post/1", "hello")])
        second = self.ingest([self.make_item("at://x/post/1", "hello")], account=other)
        self.assertEqual(len(first), 1)
        self.assertEqual(len(second), 1)
        self.assertNotEqual(first.thread_id, second.thread_id)

    def test_identity_unique_per_network(self):
        Identity = self.env["social_crm.identity"]
        Identity.create({"network": "bluesky", "external_id": "did:plc:1"})
        Identity.create({"network": "mastodon", "external_id": "did:plc:1"})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            Identity.create({"network": "bluesky", "external_id": "did:plc:1"})

    def test_token_not_copied(self):
        copy = self.account.copy({"name": "copy"})
        self.assertFalse(copy.token)
        self.assertEqual(copy.state, "draft")

    def test_ingest_builds_identities_threads_and_parents(self):
        root = self.make_item("at://jane/post/1", "@acme my order is late", minutes=0)
        reply = self.make_item(
            "at://jane/post/2", "still nothing?", root_id=root.external_id, parent_id=root.external_id, minutes=5
        )
        brand = self.make_item(
            "at://acme/post/3",
            "Sorry Jane, checking now",
            author_id="did:plc:acme",
            handle="acme.test",
            name="Acme",
            root_id=root.external_id,
            parent_id=reply.external_id,
            minutes=20,
            is_own=True,
        )
        mentions = self.ingest([root, reply, brand])
        self.assertEqual(len(mentions), 3)
        self.assertEqual(len(mentions.thread_id), 1, "one conversation for the three posts")
        thread = mentions.thread_id
        self.assertEqual(thread.mention_count, 3)
        self.assertEqual(thread.state, "answered")
        self.assertAlmostEqual(thread.first_response_hours, 20 / 60, places=3)
        by_ext = {m.external_id: m for m in mentions}
        self.assertEqual(by_ext["at://jane/post/2"].parent_id, by_ext["at://jane/post/1"])
        self.assertEqual(by_ext["at://acme/post/3"].direction, "outbound")
        self.assertEqual(len(mentions.identity_id), 2)
        self.assertEqual(thread.identity_id.handle, "jane.test")

    def test_identity_enrichment_keeps_known_values(self):
        self.ingest([self.make_item("at://jane/post/1", "hi", followers=10)])
        identity = self.env["social_crm.identity"].search([("external_id", "=", "did:plc:jane")])
        identity.partner_id = self.partner
        item = self.make_item("at://jane/post/2", "hi again", followers=99, name="")
        self.ingest([item])
        self.assertEqual(identity.followers, 99)
        self.assertEqual(identity.name, "Jane", "a missing name does not blank the known one")
        self.assertEqual(identity.partner_id, self.partner, "the user's link is kept")

    def test_mentions_follow_the_identity_contact(self):
        mentions = self.ingest([self.make_item("at://jane/post/1", "hi")])
        self.assertFalse(mentions.partner_id)
        mentions.identity_id.partner_id = self.partner
        self.assertEqual(mentions.partner_id, self.partner)
        self.assertEqual(self.partner.social_mention_count, 1)
        self.assertIn(mentions, self.partner.social_recent_mention_ids)

    def test_partner_counts_use_one_query_for_many_partners(self):
        partners = self.env["res.partner"].create([{"name": f"P{i}"} for i in range(5)])
        for i, partner in enumerate(partners):
            mentions = self.ingest(
                [self.make_item(f"at://p{i}/post/{n}", "meh", author_id=f"did:p{i}") for n in range(i + 1)]
            )
            mentions.identity_id.partner_id = partner
        partners.invalidate_recordset()
        with self.assertQueryCount(2):
            counts = partners.mapped("social_mention_count")
        self.assertEqual(counts, [1, 2, 3, 4, 5])

    def test_bad_items_are_skipped_others_land(self):
        good = self.make_item("at://jane/post/1", "fine")
        empty_id = self.make_item("", "no id")
        duplicate = self.make_item("at://jane/post/1", "same id twice")
        huge = self.make_item("at://jane/post/9", "ก" * 150_000)
        mentions = self.ingest([good, empty_id, duplicate, huge])
        self.assertEqual(sorted(mentions.mapped("external_id")), ["at://jane/post/1", "at://jane/post/9"])
        self.assertEqual(len(mentions.filtered(lambda m: m.external_id.endswith("9")).body), 100_000)

    def test_analysis_runs_at_ingest(self):
        mentions = self.ingest(
            [
                self.make_item("at://a/1", "สั่งของไปสองอาทิตย์แล้วยังไม่ได้รับเลย แย่มาก", author_id="a"),
                self.make_item("at://b/2", "سفارشم کی می‌رسه؟ خیلی بد بود", author_id="b"),
                self.make_item("at://c/3", "I absolutely love this app, thank you!", author_id="c"),
            ]
        )
        by_ext = {m.external_id: m for m in mentions}
        self.assertEqual(by_ext["at://a/1"].lang, "th")
        self.assertEqual(by_ext["at://b/2"].lang, "fa")
        self.assertEqual(by_ext["at://c/3"].lang, "en")
        self.assertEqual(by_ext["at://c/3"].sentiment, "positive")
        self.assertEqual(by_ext["at://b/2"].intent, "question")
        self.assertTrue(all(m.nlp_state == "fast" for m in mentions))
        self.assertTrue(all(m.nlp_model for m in mentions))
