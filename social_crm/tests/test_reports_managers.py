# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reports that do not mislead: open tickets, labels, one first response, shares, freshness, listening."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import SocialCrmCommon
from .loopback import LoopbackServer
from .test_respond import analyzed_as


@tagged("social_crm", "social_crm_reports", "post_install", "-at_install")
class TestReportsHonest(SocialCrmCommon):
    def ticket_waiting(self, key, hours_ago, answered_after=None):
        """A social ticket whose customer wrote ``hours_ago``; answered ``answered_after`` hours later."""
        with analyzed_as(("en", "negative", "complaint")):
            mention = self.ingest([self.make_item(f"at://w/{key}", f"where is my order {key}", author_id=key)])
        ticket = mention.ticket_id
        self.assertTrue(ticket, "a complaint makes a ticket")
        since = fields.Datetime.now() - timedelta(hours=hours_ago)
        mention.thread_id.sudo().write({"first_inbound_at": since, "first_response_at": False})
        ticket.sudo().write(
            {
                "social_first_response_at": since + timedelta(hours=answered_after)
                if answered_after is not None
                else False
            }
        )
        self.env.flush_all()
        return ticket

    def row(self, ticket):
        return self.env["social_crm.response.report"].search([("ticket_id", "=", ticket.id)])

    def aggregate(self, tickets, *aggregates):
        [values] = self.env["social_crm.response.report"]._read_group(
            [("ticket_id", "in", tickets.ids)], [], list(aggregates)
        )
        return values

    def test_unanswered_ticket_is_open_until_the_target_passes(self):
        fresh = self.ticket_waiting("fresh", hours_ago=1)  # target: 4 hours
        self.assertEqual(self.row(fresh).response_status, "open")
        in_target, response = self.aggregate(fresh, "answered_in_target:avg", "first_response_hours:avg")
        # NULL averages (read as False): not 0 %, not 0 hours
        self.assertIs(in_target, False, "a ticket still within its target is neither answered in time nor missed")
        self.assertIs(response, False, "an unanswered ticket has no response time, not 0")
        late = self.ticket_waiting("late", hours_ago=6)
        self.assertEqual(self.row(late).response_status, "missed")
        quick = self.ticket_waiting("quick", hours_ago=10, answered_after=2)
        self.assertEqual(self.row(quick).response_status, "in_time")
        tickets = fresh | late | quick
        in_target, response = self.aggregate(tickets, "answered_in_target:avg", "first_response_hours:avg")
        self.assertEqual(in_target, 50.0, "one in time, one missed, the open one not counted")
        self.assertAlmostEqual(response, 2.0, places=3, msg="only the answered ticket has a response time")

    def test_digest_and_report_share_one_first_response(self):
        end = fields.Datetime.now() + timedelta(minutes=1)
        tickets = (
            self.ticket_waiting("a", hours_ago=20, answered_after=1)
            | self.ticket_waiting("b", hours_ago=20, answered_after=2)
            | self.ticket_waiting("c", hours_ago=20, answered_after=6)
            | self.ticket_waiting("d", hours_ago=20)
        )
        average, median = self.aggregate(tickets, "first_response_hours:avg", "median_response_hours:avg")
        self.assertAlmostEqual(average, 3.0, places=3)
        self.assertAlmostEqual(median, 2.0, places=3)
        figures = self.env["social_crm.digest"]._figures(self.env.company, end=end)
        self.assertEqual(figures["answered"], 3)
        self.assertEqual(figures["response_hours"], 3.0, "the digest says what the report says")
        self.assertEqual(figures["median_response_hours"], 2.0)
        html = str(self.env["ir.qweb"]._render("social_crm.weekly_digest_body", figures))
        self.assertIn('class="o_digest_median">2.0<', html)

    def test_networks_show_their_names(self):
        ticket = self.ticket_waiting("n", hours_ago=1)
        Report = self.env["social_crm.response.report"]
        for model in (Report, self.env["social_crm.voice.report"], self.env["social_crm.share.report"]):
            description = model.fields_get(["network"])["network"]
            self.assertEqual(description["type"], "selection", model._name)
            self.assertIn(["bluesky", "Bluesky"], [list(pair) for pair in description["selection"]])
        groups = Report.web_read_group([("ticket_id", "=", ticket.id)], ["ticket_count:sum"], ["network"])
        self.assertEqual(groups["groups"][0]["network"], "bluesky")

    def test_share_of_voice_in_percent(self):
        self.env["social_crm.keyword"].create(
            [
                {"name": "Acme", "brand": "Acme", "group": "own"},
                {"name": "Globex", "brand": "Globex", "group": "competitor"},
            ]
        )
        texts = ["acme is great", "acme again", "love acme", "globex is down"]
        with analyzed_as(*[("en", "neutral", "other")] * 4):
            mentions = self.ingest(
                [self.make_item(f"at://sov/{n}", text, author_id=f"s{n}") for n, text in enumerate(texts)]
            )
        mentions.write({"posted_at": datetime(2026, 11, 3, 10, 0)})
        with analyzed_as(("en", "neutral", "other")):
            later = self.ingest([self.make_item("at://sov/9", "globex only this week", author_id="s9")])
        later.posted_at = datetime(2026, 11, 17, 10, 0)
        self.env.flush_all()
        Share = self.env["social_crm.share.report"].with_user(self.social_manager)
        mine = [("mention_id", "in", (mentions | later).ids)]  # not the demo data's mentions
        by_brand = dict(Share._read_group(mine, ["brand"], ["share:sum"]))
        self.assertAlmostEqual(by_brand["Acme"], 60.0)
        self.assertAlmostEqual(by_brand["Globex"], 40.0)
        by_week = Share._read_group(mine, ["posted_at:week", "brand"], ["share:sum", "__count"])
        weeks = {}
        for week, brand, share, _count in by_week:
            weeks.setdefault(week, {})[brand] = share
        self.assertEqual(len(weeks), 2)
        for shares in weeks.values():
            self.assertAlmostEqual(sum(shares.values()), 100.0, msg="each period's shares add up to 100 %")
        first_week = min(weeks)
        self.assertAlmostEqual(weeks[first_week]["Acme"], 75.0)
        [(total,)] = Share._read_group(mine, [], ["share:sum"])
        self.assertAlmostEqual(total, 100.0)

    def test_competitor_keywords_are_fetched(self):
        """The fetch searches the network for the Share of Voice terms, so competitors' mentions arrive."""
        brand = {"id": "1", "username": "acme", "acct": "acme", "display_name": "Acme", "url": "", "avatar": ""}
        customer = {**brand, "id": "55", "username": "kim", "acct": "kim@social.example", "display_name": "Kim"}
        status = {
            "id": "9001",
            "uri": "https://social.example/users/kim/statuses/9001",
            "url": "https://social.example/@kim/9001",
            "created_at": (datetime.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "in_reply_to_id": None,
            "content": "<p>Globex lost my parcel again</p>",
            "language": "en",
            "account": customer,
            "visibility": "public",
            "mentions": [],
            "tags": [],
        }
        with LoopbackServer() as server:
            server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, brand))
            server.route("GET", "/api/v1/notifications", (200, {}, []))
            # The fetch then asks whether the posts it holds still exist (deletions are mirrored).
            server.route("GET", "/api/v1/statuses/9001", (200, {}, status))
            server.route(
                "GET",
                "/api/v2/search",
                lambda request: (
                    200,
                    {},
                    {
                        "accounts": [],
                        "hashtags": [],
                        "statuses": [status] if request["query"]["q"] == ["Globex"] else [],
                    },
                ),
            )
            account = self.env["social_crm.account"].create(
                {
                    "name": "Acme on Mastodon (listening)",
                    "network": "mastodon",
                    "base_url": server.url,
                    "login": "acme",
                    "token": "token-123",
                    "state": "connected",
                    "team_id": self.team.id,
                    "own_external_id": "1",
                    "keywords": "acme",
                }
            )
            keyword = self.env["social_crm.keyword"].create(
                {"name": "Globex", "brand": "Globex", "group": "competitor"}
            )
            with analyzed_as(("en", "negative", "complaint")):
                account.with_user(self.social_manager).action_fetch_now()
        searched = [request["query"]["q"][0] for request in server.requests if request["path"] == "/api/v2/search"]
        self.assertIn("acme", searched)
        self.assertIn("Globex", searched, "the competitor's term is searched on the network")
        mention = self.env["social_crm.mention"].search([("account_id", "=", account.id)])
        self.assertEqual(len(mention), 1)
        self.assertIn("Globex lost my parcel", mention.body)
        self.assertIn(keyword, mention.keyword_ids, "and counts in the Share of Voice")

    def test_top_voices_can_be_refreshed_now(self):
        Voice = self.env["social_crm.voice.report"]
        Voice._refresh()
        with analyzed_as(("en", "negative", "complaint")):
            mention = self.ingest([self.make_item("at://v/1", "broken", author_id="voice")])
        self.assertFalse(Voice.search([("identity_id", "=", mention.identity_id.id)]))
        action = Voice.with_user(self.social_manager).action_refresh()
        self.assertEqual(action["tag"], "soft_reload")
        voice = Voice.search([("identity_id", "=", mention.identity_id.id)])
        self.assertEqual(voice.mention_count, 1)
        self.assertTrue(voice.refreshed_at, "the list shows when the figures were computed")


@tagged("social_crm", "social_crm_reports", "post_install", "-at_install")
class TestContactSocialTab(SocialCrmCommon):
    def mentions_in_weeks(self, weeks):
        vals = [("en", "negative", "complaint")] * len(weeks)
        with analyzed_as(*vals):
            mentions = self.ingest(
                [self.make_item(f"at://t/{n}", f"post {n}", author_id="trend") for n in range(len(weeks))]
            )
        for mention, week in zip(mentions, weeks):
            mention.posted_at = datetime.now() - timedelta(weeks=week, hours=1)
        mentions.identity_id.partner_id = self.partner
        self.partner.invalidate_recordset()
        return mentions

    def test_no_trend_from_one_or_two_weeks(self):
        self.mentions_in_weeks([0, 1])
        self.assertFalse(self.partner.social_sentiment_trend, "two points make no trend")
        self.assertEqual(self.partner.social_mention_count, 2)

    def test_trend_from_three_weeks(self):
        self.mentions_in_weeks([0, 1, 3])
        self.assertEqual(str(self.partner.social_sentiment_trend).count("<circle"), 3)

    def test_handles_placeholder_is_nobody(self):
        arch = self.env["res.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("@jane", arch)

    def test_unlink_keeps_the_identity_and_its_mentions(self):
        mentions = self.mentions_in_weeks([0])
        identity = mentions.identity_id
        identity.with_user(self.social_user).action_unlink_contact()
        self.assertTrue(identity.exists())
        self.assertFalse(identity.partner_id)
        self.assertTrue(mentions.exists())
        self.assertFalse(mentions.partner_id)
        self.assertIn(self.partner, identity.rejected_partner_ids, "automatic matching will not link it back")
        self.assertFalse(self.partner.social_identity_ids)
        arch = self.env["res.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_unlink_contact"', arch)
        self.assertIn('<list create="0" delete="0">', arch, "no trash icon on identity rows")
