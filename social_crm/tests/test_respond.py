# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo.tests import tagged

from .common import MENTION, SocialCrmCommon, analyzed_as  # noqa: F401 (MENTION: test_ingest_batch imports it here)


@tagged("social_crm", "social_crm_respond", "post_install", "-at_install")
class TestRespond(SocialCrmCommon):
    def test_complaint_makes_one_ticket_on_the_right_contact(self):
        self.somchai_on_bluesky("did:plc:test-somchai-r")
        with analyzed_as(("th", "negative", "complaint")):
            mention = self.ingest(
                [self.make_item("at://s/1", "ของยังไม่มาเลย แย่มาก", author_id="did:plc:test-somchai-r")]
            )
        ticket = mention.ticket_id
        self.assertTrue(ticket)
        self.assertEqual(ticket.partner_id, self.partner)
        self.assertEqual(ticket.channel_id, self.env.ref("social_crm.helpdesk_ticket_channel_social"))
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.social_lang, "th")
        self.assertEqual(ticket.priority, "2")
        self.assertIn("ของยังไม่มาเลย", ticket.description)
        self.assertIn(mention.url, ticket.description)
        self.assertEqual(mention.thread_id.ticket_id, ticket)
        self.assertEqual(mention.thread_id.state, "open")

    def test_praise_makes_no_ticket(self):
        with analyzed_as(("en", "positive", "praise")):
            mention = self.ingest([self.make_item("at://j/1", "love it")])
        self.assertFalse(mention.ticket_id)
        self.assertEqual(mention.thread_id.state, "new")

    def test_question_request_and_negative_make_tickets(self):
        with analyzed_as(("en", "neutral", "question"), ("fa", "neutral", "request"), ("en", "negative", "other")):
            mentions = self.ingest(
                [
                    self.make_item("at://a/1", "when?", author_id="a"),
                    self.make_item("at://b/1", "لطفا کمک کنید", author_id="b"),
                    self.make_item("at://c/1", "meh, bad", author_id="c"),
                ]
            )
        self.assertEqual(len(mentions.ticket_id), 3)

    def test_later_mentions_fold_into_the_same_ticket(self):
        with analyzed_as(("en", "negative", "complaint")):
            first = self.ingest([self.make_item("at://j/1", "broken again")])
        with analyzed_as(("en", "neutral", "question"), ("en", "negative", "complaint")):
            later = self.ingest(
                [
                    self.make_item("at://j/2", "any news?", root_id="at://j/1", parent_id="at://j/1", minutes=10),
                    self.make_item("at://j/3", "still broken", root_id="at://j/1", parent_id="at://j/2", minutes=20),
                ]
            )
        self.assertEqual(later.ticket_id, first.ticket_id)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([("social_thread_id", "=", first.thread_id.id)]), 1)
        bodies = first.ticket_id.message_ids.mapped("body")
        self.assertTrue(any("still broken" in body for body in bodies), "new posts are logged in the chatter")

    def test_recently_closed_ticket_reopens(self):
        first, again = self.complaint_after_closing("j", timedelta(days=2))
        self.assertEqual(again.ticket_id, first.ticket_id)
        self.assertFalse(first.ticket_id.closed)

    def test_long_closed_ticket_starts_a_new_one(self):
        self.env.company.social_crm_ticket_reopen_days = 3
        first, again = self.complaint_after_closing("j", timedelta(days=10))
        self.assertTrue(again.ticket_id)
        self.assertNotEqual(again.ticket_id, first.ticket_id)
        self.assertTrue(first.ticket_id.closed)
        self.assertEqual(again.thread_id.ticket_id, again.ticket_id)

    def test_rules_are_ordered_and_vip_gets_top_priority(self):
        vip_team = self.env["helpdesk.ticket.team"].create({"name": "VIP care"})
        tag = self.env["helpdesk.ticket.tag"].create({"name": "vip"})
        self.env.ref("social_crm.ticket_rule_vip_negative").write(
            {"team_id": vip_team.id, "tag_ids": [(6, 0, tag.ids)]}
        )
        with analyzed_as(("en", "negative", "complaint"), ("en", "negative", "complaint")):
            mentions = self.ingest(
                [
                    self.make_item("at://vip/1", "terrible", author_id="vip", followers=50000),
                    self.make_item("at://nobody/1", "terrible", author_id="nobody", followers=12),
                ]
            )
        vip, nobody = mentions.sorted(lambda m: m.external_id != "at://vip/1")
        self.assertEqual(vip.ticket_id.priority, "3")
        self.assertEqual(vip.ticket_id.team_id, vip_team)
        self.assertEqual(vip.ticket_id.tag_ids, tag)
        self.assertEqual(nobody.ticket_id.priority, "2")
        self.assertEqual(nobody.ticket_id.team_id, self.team)

    def test_keyword_and_language_rule(self):
        self.env["social_crm.ticket.rule"].create(
            {
                "name": "Refunds in Thai",
                "sequence": 1,
                "keywords": "คืนเงิน, refund",
                "langs": "th",
                "priority": "3",
            }
        )
        with analyzed_as(("th", "neutral", "other"), ("en", "neutral", "other")):
            mentions = self.ingest(
                [
                    self.make_item("at://a/1", "ขอคืนเงินได้ไหม", author_id="a"),
                    self.make_item("at://b/1", "refund please", author_id="b"),
                ]
            )
        thai, english = mentions.sorted("external_id")
        self.assertEqual(thai.ticket_id.priority, "3")
        self.assertFalse(english.ticket_id, "language condition excludes it and no default rule matches")

    def test_rule_can_be_scoped_to_an_account(self):
        other = self.account.copy({"name": "Other brand"})
        self.env["social_crm.ticket.rule"].search([]).write({"active": False})
        self.env["social_crm.ticket.rule"].create({"name": "Only other", "account_ids": [(6, 0, other.ids)]})
        with analyzed_as(("en", "negative", "complaint")):
            here = self.ingest([self.make_item("at://a/1", "bad")])
        with analyzed_as(("en", "negative", "complaint")):
            there = self.ingest([self.make_item("at://a/1", "bad")], account=other)
        self.assertFalse(here.ticket_id)
        self.assertTrue(there.ticket_id)
