# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import SocialCrmCommon
from .test_respond import analyzed_as


@tagged("social_crm", "social_crm_matching", "post_install", "-at_install")
class TestKeywordMatching(SocialCrmCommon):
    """New mentions (at ingest) and recent ones (backfill of a new term) are matched by the same rule."""

    TEXTS = [
        ("at://m/1", "Wir sind in der Hauptstraße 5"),
        ("at://m/2", "HAUPTSTRASSE closed today"),
        ("at://m/3", "ＡＣＭＥ support is great"),
        ("at://m/4", "100% satisfied with acme"),
        ("at://m/5", "1000 satisfied"),
        ("at://m/6", "Ａ_Ｂ or AxB"),
    ]
    TERMS = ["hauptstrasse", "Hauptstraße", "acme", "100%", "a_b"]

    def matches(self, keywords):
        """Each term's tagged mentions among this test's (the demo data may hold others)."""
        return {
            k.name: sorted(ext for ext in k.mention_ids.mapped("external_id") if ext.startswith("at://m/"))
            for k in keywords
        }

    def ingest_texts(self):
        with analyzed_as(*[("en", "neutral", "other")] * len(self.TEXTS)):
            return self.ingest([self.make_item(ext, text, author_id=ext) for ext, text in self.TEXTS])

    def create_keywords(self):
        return self.env["social_crm.keyword"].create(
            [{"name": term, "brand": f"Brand {n}", "group": "own"} for n, term in enumerate(self.TERMS)]
        )

    def test_backfill_and_ingest_agree(self):
        expected = {
            "hauptstrasse": ["at://m/1", "at://m/2"],
            "Hauptstraße": ["at://m/1", "at://m/2"],
            "acme": ["at://m/3", "at://m/4"],
            "100%": ["at://m/4"],
            "a_b": ["at://m/6"],
        }
        # terms first, then mentions: matched at ingest
        keywords = self.create_keywords()
        self.ingest_texts()
        self.assertEqual(self.matches(keywords), expected)
        # mentions first, then terms: matched by the 30-day backfill, with the same result
        keywords.with_context(active_test=False).unlink()
        self.env["social_crm.mention"].search([("external_id", "like", "at://m/")]).write(
            {"posted_at": datetime.now() - timedelta(days=3)}
        )
        keywords = self.create_keywords()
        self.assertEqual(self.matches(keywords), expected)

    def test_backfill_reads_only_the_recent_window_and_its_company(self):
        mentions = self.ingest_texts()
        mentions.write({"posted_at": datetime.now() - timedelta(days=3)})
        mentions.filtered(lambda m: m.external_id == "at://m/4").posted_at = datetime.now() - timedelta(days=40)
        other_company = self.env["res.company"].create({"name": "Other company"})
        keyword = self.env["social_crm.keyword"].create({"name": "acme", "brand": "Acme"})
        foreign = self.env["social_crm.keyword"].create(
            {"name": "satisfied", "brand": "Acme", "company_id": other_company.id}
        )
        self.assertEqual(self.matches(keyword), {"acme": ["at://m/3"]}, "older than 30 days: not tagged")
        self.assertFalse(foreign.mention_ids & mentions, "another company's term never tags this company's mentions")

    def test_reactivated_term_is_backfilled(self):
        keyword = self.env["social_crm.keyword"].create({"name": "straße", "brand": "Street", "active": False})
        mentions = self.ingest_texts()
        self.assertFalse(keyword.mention_ids, "an archived term tags nothing at ingest")
        mentions.write({"posted_at": datetime.now() - timedelta(days=1)})
        keyword.active = True
        self.assertEqual(self.matches(keyword), {"straße": ["at://m/1", "at://m/2"]})


@tagged("social_crm", "social_crm_matching", "post_install", "-at_install")
class TestMentionNameSearch(SocialCrmCommon):
    def test_search_mentions_by_name(self):
        with analyzed_as(("en", "negative", "complaint"), ("en", "positive", "praise")):
            broken, love = self.ingest(
                [
                    self.make_item("at://n/1", "my parcel arrived broken", author_id="n1", name="Nok"),
                    self.make_item("at://n/2", "love the new app", author_id="n2", handle="ploy.test", name="Ploy"),
                ]
            )
        Mention = self.env["social_crm.mention"].with_user(self.social_user)
        ours = [("id", "in", (broken | love).ids)]  # the demo data holds other mentions
        with self.assertNoLogs(level="ERROR"):
            found = Mention.name_search("parcel", ours)
            by_display_name = Mention.search([("display_name", "ilike", "PARCEL")] + ours)
            by_author = Mention.search([("display_name", "ilike", "ploy")] + ours)
            excluded = Mention.search([("display_name", "not ilike", "parcel")] + ours)
        self.assertEqual([record_id for record_id, _name in found], broken.ids)
        self.assertEqual(found[0][1], broken.display_name)
        self.assertEqual(by_display_name, broken)
        self.assertEqual(by_author, love, "the author's handle and name are searched too")
        self.assertEqual(excluded, love)
