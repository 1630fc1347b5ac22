# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import random
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import SocialCrmCommon
from .test_respond import analyzed_as


@tagged("social_crm", "social_crm_reports", "post_install", "-at_install")
class TestReports(SocialCrmCommon):
    def negative_mentions(self, hours_and_counts, prefix="n"):
        vals = []
        for hour, count in hours_and_counts:
            for n in range(count):
                vals.append({
                    "account_id": self.account.id, "external_id": f"{prefix}-{hour:%Y%m%d%H}-{n}",
                    "posted_at": hour + timedelta(minutes=n % 60), "direction": "inbound",
                    "sentiment": "negative", "sentiment_score": -0.8, "body": f"broken again {n}",
                    "author_name": f"user {n}", "nlp_state": "fast",
                })
        return self.env["social_crm.mention"].create(vals)

    def test_spike_alerts_once_per_episode_and_not_on_noise(self):
        now = datetime(2026, 11, 20, 15, 30)
        hour = now.replace(minute=0)
        rng = random.Random(4)
        history = [(hour - timedelta(hours=h), rng.choice([0, 0, 1, 1, 2, 3])) for h in range(1, 169)]
        self.negative_mentions(history)
        Account = self.env["social_crm.account"]
        Account._cron_detect_spikes(now=now)
        self.assertFalse(self.account.spike_episode_start, "normal noise raises no alert")
        self.negative_mentions([(hour, 30)], prefix="storm")
        messages_before = len(self.account.message_ids)
        Account._cron_detect_spikes(now=now)
        self.assertEqual(self.account.spike_episode_start, hour)
        alerts = self.account.message_ids[: len(self.account.message_ids) - messages_before]
        self.assertEqual(len(alerts), 1)
        self.assertIn("30 in the last hour", alerts.body)
        self.assertIn("broken again", alerts.body, "the top mentions are quoted")
        self.assertIn(self.social_manager.partner_id, alerts.partner_ids)
        self.assertTrue(self.account.activity_ids.filtered(lambda a: a.user_id == self.social_manager))
        Account._cron_detect_spikes(now=now + timedelta(minutes=15))
        self.assertEqual(len(self.account.message_ids) - messages_before, 1, "one alert per episode")
        Account._cron_detect_spikes(now=now + timedelta(hours=3))
        self.assertFalse(self.account.spike_episode_start, "the episode ends when the rate is back to normal")

    def test_weekly_digest_figures_and_switch(self):
        end = datetime(2025, 1, 10, 8, 0)  # far from the demo data, which is dated around today
        with analyzed_as(("en", "negative", "complaint"), ("en", "positive", "praise"), ("th", "negative", "complaint")):
            self.ingest([
                self.make_item("at://a/1", "broken", author_id="a"),
                self.make_item("at://b/1", "love it", author_id="b"),
                self.make_item("at://c/1", "แย่มาก", author_id="c"),
            ])
        self.env["social_crm.mention"].search([("account_id", "=", self.account.id)]).write(
            {"posted_at": end - timedelta(days=2)})
        figures = self.env["social_crm.digest"]._figures(self.env.company, end=end)
        self.assertEqual(figures["current"]["count"], 3)
        self.assertEqual(figures["current"]["negative"], 2)
        self.assertEqual(figures["previous"]["count"], 0)
        self.assertEqual(figures["networks"], [("Bluesky", 3)])
        html = self.env["ir.qweb"]._render("social_crm.weekly_digest_body", figures)
        self.assertIn('class="o_digest_count"><b>3</b>', html)
        Mail = self.env["mail.mail"]
        before = Mail.search_count([])
        self.assertGreaterEqual(self.env["social_crm.digest"]._cron_send_weekly_digest(), 1)
        sent = Mail.search([], order="id desc", limit=1)
        self.assertIn("weekly digest", sent.subject)
        self.assertIn(self.social_manager.email, sent.email_to)
        self.env["ir.config_parameter"].set_param("social_crm.weekly_digest", "False")
        count = Mail.search_count([])
        self.assertEqual(self.env["social_crm.digest"]._cron_send_weekly_digest(), 0)
        self.assertEqual(Mail.search_count([]), count)
        self.assertGreater(count, before)

    def test_response_report_and_top_voices(self):
        with analyzed_as(("en", "negative", "complaint"), ("en", "negative", "complaint")):
            mentions = self.ingest([
                self.make_item("at://j/1", "broken", minutes=0),
                self.make_item("at://j/2", "still broken", minutes=5, root_id="at://j/9"),
            ])
        brand = self.make_item("at://acme/3", "sorry!", author_id="did:plc:acme", handle="acme.test",
                               root_id="at://j/1", parent_id="at://j/1", minutes=90, is_own=True)
        self.ingest([brand])
        ticket = mentions.filtered(lambda m: m.external_id == "at://j/1").ticket_id
        self.env.flush_all()
        row = self.env["social_crm.response.report"].search([("ticket_id", "=", ticket.id)])
        self.assertAlmostEqual(row.first_response_hours, 1.5, places=2)
        self.assertEqual(row.answered_in_target, 100.0)
        self.env["ir.config_parameter"].set_param("social_crm.response_target_hours", "1")
        row.invalidate_recordset()
        self.assertEqual(row.answered_in_target, 0.0, "the target setting applies at once")
        voice = self.env["social_crm.voice.report"].search([("identity_id", "=", mentions.identity_id.id)])
        self.assertEqual(voice.mention_count, 2)
        self.assertEqual(voice.negative_share, 100.0)

    def test_share_of_voice_tags_mentions_at_ingest(self):
        Keyword = self.env["social_crm.keyword"]
        Keyword.create([{"name": "Acme", "brand": "Acme", "group": "own"},
                        {"name": "Globex", "brand": "Globex", "group": "competitor"}])
        with analyzed_as(("en", "positive", "praise"), ("en", "negative", "complaint"), ("en", "neutral", "other")):
            mentions = self.ingest([
                self.make_item("at://a/1", "ACME rocks", author_id="a"),
                self.make_item("at://b/1", "globex broke again, switching to acme", author_id="b"),
                self.make_item("at://c/1", "nothing relevant", author_id="c"),
            ])
        by_ext = {m.external_id: m for m in mentions}
        self.assertEqual(by_ext["at://a/1"].keyword_ids.mapped("brand"), ["Acme"])
        self.assertEqual(sorted(by_ext["at://b/1"].keyword_ids.mapped("brand")), ["Acme", "Globex"])
        self.assertFalse(by_ext["at://c/1"].keyword_ids)
        groups = dict(self.env["social_crm.share.report"]._read_group([], ["brand"], ["__count"]))
        self.assertEqual(groups, {"Acme": 2, "Globex": 1})

    def test_contact_sentiment_trend(self):
        with analyzed_as(("en", "negative", "complaint"), ("en", "positive", "praise")):
            mentions = self.ingest([self.make_item("at://s/1", "bad"), self.make_item("at://s/2", "good", minutes=60 * 24 * 8)])
        mentions.write({"posted_at": datetime.now() - timedelta(days=3)})
        mentions[1].posted_at = datetime.now() - timedelta(days=12)
        mentions.identity_id.partner_id = self.partner
        self.partner.invalidate_recordset()
        trend = str(self.partner.social_sentiment_trend)
        self.assertIn("<svg", trend)
        self.assertEqual(trend.count("<circle"), 2)
        action = self.partner.action_view_social_trend()
        self.assertEqual(self.env["social_crm.mention"].search(action["domain"]), mentions)


@tagged("social_crm", "social_crm_reports", "post_install", "-at_install")
class TestDashboard(SocialCrmCommon):
    def test_dashboard_charts_read_their_data(self):
        import json

        dashboard = self.env.ref("social_crm.spreadsheet_dashboard_social_crm")
        data = dashboard.with_user(self.social_manager).get_readonly_dashboard()
        snapshot = data["snapshot"] if "snapshot" in data else json.loads(dashboard.spreadsheet_data)
        figures = [f for sheet in snapshot["sheets"] for f in sheet["figures"]]
        self.assertGreaterEqual(len(figures), 8)
        for figure in figures:
            meta = figure["data"]["metaData"]
            Model = self.env[meta["resModel"]].with_user(self.social_manager)
            groupby = meta["groupBy"]
            for spec in groupby:
                self.assertIn(spec.split(":")[0], Model._fields, f"{meta['resModel']}: {spec}")
            measure = meta["measure"]
            aggregates = ["__count"] if measure == "__count" else [f"{measure}:{Model._fields[measure].aggregator or 'sum'}"]
            Model._read_group(figure["data"]["searchParams"]["domain"], groupby, aggregates)

    def test_only_managers_see_the_dashboard(self):
        dashboard = self.env.ref("social_crm.spreadsheet_dashboard_social_crm")
        self.assertIn(self.env.ref("social_crm.group_social_manager"), dashboard.group_ids)
        visible = self.env["spreadsheet.dashboard"].with_user(self.social_user).search([])
        self.assertNotIn(dashboard, visible)
