# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import random
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import HELPDESK_EMPLOYEE_GROUPS, SocialCrmCommon
from .test_respond import analyzed_as


@tagged("social_crm", "social_crm_alerts", "post_install", "-at_install")
class TestAlerts(SocialCrmCommon):
    now = datetime(2026, 11, 20, 15, 30)

    def poisson_week(self, seed=4, prefix="noise", account=None):
        """168 hours of Poisson noise (about 1 negative mention an hour) before ``self.now``."""
        rng = random.Random(seed)

        def poisson(lam):
            limit, k, p = 2.718281828459045**-lam, 0, 1.0
            while True:
                p *= rng.random()
                if p <= limit:
                    return k
                k += 1

        self.negative_mentions(
            [(self.now - timedelta(hours=h, minutes=30), poisson(1.0)) for h in range(1, 169)],
            prefix=prefix,
            account=account,
        )

    def alerts_on(self, account):
        """The alert messages, which go to the managers on the stored alert (the account keeps a note)."""
        alerts = self.env["social_crm.alert"].search([("account_id", "=", account.id)])
        return alerts.message_ids.filtered(lambda m: "Spike of negative mentions" in (m.body or ""))

    def test_no_alert_on_normal_noise(self):
        self.poisson_week()
        Alerts = self.env["social_crm.alert"]
        for quarter in range(8):  # two hours of runs, every 15 minutes, over ordinary noise
            self.negative_mentions([(self.now + timedelta(minutes=15 * quarter - 5), 1)], prefix=f"q{quarter}")
            Alerts._cron_detect_spikes(now=self.now + timedelta(minutes=15 * quarter))
        self.assertFalse(self.account.spike_episode_start)
        self.assertFalse(self.alerts_on(self.account))

    def test_one_alert_per_episode_with_the_top_mentions(self):
        self.poisson_week()
        Alerts = self.env["social_crm.alert"]
        self.negative_mentions([(self.now - timedelta(minutes=40), 30)], prefix="storm")
        Alerts._cron_detect_spikes(now=self.now)
        self.assertEqual(self.account.spike_episode_start, self.now)
        alert = self.alerts_on(self.account)
        self.assertEqual(len(alert), 1)
        self.assertIn("30 in the last 60 minutes", alert.body)
        self.assertIn("Spike of negative mentions", self.account.message_ids[0].body, "a note on the account too")
        self.assertIn("broken again", alert.body, "the top mentions are quoted")
        self.assertIn(self.social_manager.partner_id, alert.partner_ids)
        self.assertNotIn(self.social_user.partner_id, alert.partner_ids, "only Social Managers are alerted")
        stored = self.env["social_crm.alert"].search([("account_id", "=", self.account.id)])
        self.assertFalse(stored.activity_ids, "the alert arrives in the Inbox, not as one activity per manager")
        message = stored.message_ids.filtered(lambda m: "Spike of negative mentions" in (m.body or ""))
        inbox = message.notification_ids.filtered(lambda n: n.res_partner_id == self.social_manager.partner_id)
        self.assertEqual(len(inbox), 1, "each Social Manager is notified once")
        # the storm goes on across the turn of the hour: still the same episode
        for minutes in (15, 30, 45):
            self.negative_mentions([(self.now + timedelta(minutes=minutes - 10), 12)], prefix=f"more{minutes}")
            Alerts._cron_detect_spikes(now=self.now + timedelta(minutes=minutes))
            self.assertEqual(self.account.spike_episode_start, self.now)
        self.assertEqual(len(self.alerts_on(self.account)), 1, "one alert per episode")
        # back to normal: the episode ends ...
        Alerts._cron_detect_spikes(now=self.now + timedelta(hours=3))
        self.assertFalse(self.account.spike_episode_start)
        # ... and a new storm is a new episode
        later = self.now + timedelta(hours=6)
        self.negative_mentions([(later - timedelta(minutes=20), 40)], prefix="storm2")
        Alerts._cron_detect_spikes(now=later)
        self.assertEqual(self.account.spike_episode_start, later)
        self.assertEqual(len(self.alerts_on(self.account)), 2)

    def test_each_account_against_its_own_baseline(self):
        busy = self.account.copy({"name": "Busy brand"})
        busy.state = "connected"
        Alerts = self.env["social_crm.alert"]
        # the busy account always gets about 20 negative mentions an hour; the quiet one about 1
        self.negative_mentions(
            [(self.now - timedelta(hours=h, minutes=30), 20) for h in range(1, 169)], prefix="busy", account=busy
        )
        self.poisson_week()
        self.negative_mentions([(self.now - timedelta(minutes=30), 22)], prefix="busy-now", account=busy)
        self.negative_mentions([(self.now - timedelta(minutes=30), 22)], prefix="quiet-now")
        Alerts._cron_detect_spikes(now=self.now)
        self.assertTrue(self.account.spike_episode_start)
        self.assertFalse(busy.spike_episode_start, "22 an hour is an ordinary hour for the busy account")

    def test_a_quiet_account_needs_a_minimum_count(self):
        self.negative_mentions([(self.now - timedelta(minutes=10), 3)], prefix="few")
        self.env["social_crm.alert"]._cron_detect_spikes(now=self.now)
        self.assertFalse(self.account.spike_episode_start, "three complaints on a silent account are no storm")

    def test_weekly_digest_figures_and_switch(self):
        end = datetime(2025, 1, 10, 8, 0)  # far from the demo data, which is dated around today
        with analyzed_as(
            ("en", "negative", "complaint"), ("en", "positive", "praise"), ("th", "negative", "complaint")
        ):
            mentions = self.ingest(
                [
                    self.make_item("at://a/1", "broken", author_id="a"),
                    self.make_item("at://b/1", "love it", author_id="b"),
                    self.make_item("at://c/1", "แย่มาก", author_id="c"),
                ]
            )
        mentions.write({"posted_at": end - timedelta(days=2)})
        with analyzed_as(("en", "neutral", "other")):
            older = self.ingest([self.make_item("at://d/1", "hello", author_id="d")])
        older.posted_at = end - timedelta(days=9)
        self.env.flush_all()
        figures = self.env["social_crm.digest"]._figures(self.env.company, end=end)
        self.assertEqual(figures["current"]["count"], 3)
        self.assertEqual(figures["current"]["negative"], 2)
        self.assertEqual(figures["previous"]["count"], 1)
        self.assertEqual(figures["change"], 2)
        self.assertEqual(figures["networks"], [("Bluesky", 3)])
        html = self.env["ir.qweb"]._render("social_crm.weekly_digest_body", figures)
        self.assertIn('class="o_digest_count"><b>3</b>', html)
        self.assertIn('class="o_digest_negative"><b>2</b>', html)
        Mail = self.env["mail.mail"]
        before = Mail.search([]).ids
        self.assertGreaterEqual(self.env["social_crm.digest"]._cron_send_weekly_digest(), 1)
        sent = Mail.search([("id", "not in", before)])
        self.assertTrue(all("weekly digest" in mail.subject for mail in sent))
        self.assertIn(self.social_manager.partner_id, sent.recipient_ids)
        self.assertNotIn(self.social_user.partner_id, sent.recipient_ids, "the digest goes to Social Managers only")
        # switched off the way an administrator does it: untick the box in Settings and save
        admin = self.env.ref("base.user_admin")
        self.env["res.config.settings"].with_user(admin).create({"social_crm_weekly_digest": False}).execute()
        count = Mail.search_count([])
        self.env.ref("social_crm.ir_cron_weekly_digest").method_direct_trigger()
        self.assertEqual(Mail.search_count([]), count, "switched off: the weekly cron sends nothing")
        self.env["res.config.settings"].with_user(admin).create({"social_crm_weekly_digest": True}).execute()
        self.env.ref("social_crm.ir_cron_weekly_digest").method_direct_trigger()
        self.assertGreater(Mail.search_count([]), count, "switched on again: the digest is sent")

    def test_weekly_digest_response_times(self):
        end = datetime.now() + timedelta(hours=1)
        with analyzed_as(("en", "negative", "complaint")):
            mention = self.ingest([self.make_item("at://r/1", "where is my order", minutes=0)])
        self.ingest([self.brand_item("at://acme/r", "on its way!", "at://r/1", "at://r/1", minutes=120)])
        ticket = mention.ticket_id
        self.assertTrue(ticket, "the complaint made a ticket")
        self.env.flush_all()
        figures = self.env["social_crm.digest"]._figures(self.env.company, end=end)
        self.assertGreaterEqual(figures["tickets"], 1)
        row = self.env["social_crm.response.report"].search([("ticket_id", "=", ticket.id)])
        self.assertAlmostEqual(row.first_response_hours, 2.0, places=2)
        html = str(self.env["ir.qweb"]._render("social_crm.weekly_digest_body", figures))
        self.assertIn("o_digest_in_target", html)
        self.assertIn("Answered within 4.0 hours", html)

    def test_social_ticket_notifies_the_teams_followers(self):
        """A ticket opened by the ingestion says so in its chatter, to everyone following the team."""
        follower = self.new_user(
            "team_follower",
            HELPDESK_EMPLOYEE_GROUPS,
            name="Tina Lead",
            email="tina.lead@example.com",
            notification_type="inbox",
        )
        self.team.message_subscribe(partner_ids=follower.partner_id.ids)
        self.somchai_on_bluesky("f1")
        complaint = ("en", "negative", "complaint")
        mentions = self.first_posts(
            ("f1", "my order never came", complaint), ("g1", "still waiting for a refund", complaint)
        )
        tickets = mentions.ticket_id
        self.assertEqual(len(tickets), 2)
        created = self.env.ref("helpdesk_mgmt.hlp_tck_created")
        for ticket in tickets:
            self.assertIn(follower.partner_id, ticket.message_partner_ids, "the team's follower follows the ticket")
            message = ticket.message_ids.filtered(lambda m, s=created: m.subtype_id == s)
            self.assertEqual(len(message), 1, "one creation message per ticket")
            self.assertIn(follower.partner_id, message.notification_ids.res_partner_id)
        self.assertEqual(tickets.partner_id, self.partner)
        self.assertNotIn(
            self.partner, tickets.message_partner_ids, "the customer is answered on the network, not mailed"
        )
        self.assertEqual(
            self.env["mail.notification"].search_count(
                [
                    ("res_partner_id", "=", follower.partner_id.id),
                    ("mail_message_id.model", "=", "helpdesk.ticket"),
                    ("mail_message_id.res_id", "in", tickets.ids),
                ]
            ),
            2,
            "the follower's inbox shows both new tickets",
        )
