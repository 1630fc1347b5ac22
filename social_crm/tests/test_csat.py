# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Satisfaction asked on the channel: close -> buttons on LINE / Telegram -> press by webhook -> rating."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_respond import analyzed_as
from .webhook_case import (
    BOT,
    LINE_USER,
    SARA,
    TELEGRAM_TOKEN,
    WebhookCase,
    bot_callback,
    line_event,
    line_text,
    telegram_update,
)

PUSH_PATH = "/v2/bot/message/push"
SEND_PATH = f"/bot{TELEGRAM_TOKEN}/sendMessage"
CALLBACK_PATH = f"/bot{TELEGRAM_TOKEN}/answerCallbackQuery"


def line_postback(event_id, data, user_id=LINE_USER):
    """A postback event as LINE's webhook reference shows it (a quick reply postback action pressed)."""
    return line_event(
        "postback",
        event_id,
        1790000500000,
        user_id,
        postback={"data": data},
        replyToken="e0a4f9c2b3d14f0b9c1d2e3f4a5b6c7d",
    )


def telegram_callback(update_id, data, sender=None):
    """The survey's inline keyboard button pressed by ``sender`` (Sara unless told)."""
    survey = {
        "message_id": 1500,
        "from": BOT,
        "chat": {"id": SARA["id"], "first_name": "سارا", "type": "private"},
        "date": 1790000200,
        "text": "Your request is closed. How did we do?",
    }
    return bot_callback(update_id, "4382bfdwdsb323b2d9", sender or SARA, survey, data, chat_instance="-8235421123213")


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestCsatOnTheChannel(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.route("POST", CALLBACK_PATH, (200, {}, {"ok": True, "result": True}))
        (cls.line | cls.telegram).csat_enabled = True
        cls.closed = cls.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        cls.open_stage = cls.env["helpdesk.ticket.stage"].search([("closed", "=", False)], limit=1)

    def ticket_from(self, deliver):
        with analyzed_as(("th", "negative", "complaint")):
            deliver()
            self.run_processing()
        ticket = self.env["helpdesk.ticket"].search(
            [("social_thread_id.account_id", "in", (self.line | self.telegram).ids)]
        )
        self.assertEqual(len(ticket), 1, "a complaint in a private message opens a ticket")
        self.assertEqual(ticket.social_thread_id.visibility, "private")
        ticket.user_id = self.social_user
        return ticket

    def close(self, ticket, user=None):
        ticket.with_user(user or self.social_user).write({"stage_id": self.closed.id})

    def csat(self, ticket):
        return self.env["social_crm.csat"].sudo().search([("ticket_id", "=", ticket.id)])

    def test_line_round_trip(self):
        ticket = self.ticket_from(lambda: self.deliver_line(line_text("01LINECSAT0001", "468789577898262001")))
        self.close(ticket)
        survey = self.csat(ticket)
        self.assertEqual(survey.state, "queued", "closing the ticket queues the question")
        self.env["social_crm.csat"]._cron_send()
        self.assertEqual(survey.state, "sent", survey.error)
        [push] = self.sent(PUSH_PATH)
        self.assertEqual(push["to"], LINE_USER)
        [message] = push["messages"]
        items = message["quickReply"]["items"]
        self.assertEqual([item["action"]["type"] for item in items], ["postback"] * 3)
        self.assertTrue(all(len(item["action"]["label"]) <= 20 for item in items))
        good = items[0]["action"]["data"]
        self.assertEqual(good, f"csat:{survey.token}:good")
        mentions_before = self.env["social_crm.mention"].search_count([("account_id", "=", self.line.id)])

        # the customer presses "Good": LINE posts a postback event to the real route
        self.assertEqual(self.deliver_line(line_postback("01LINECSAT0002", good)).status_code, 200)
        self.run_processing()
        self.assertEqual((survey.state, survey.answer, survey.satisfied), ("answered", "good", 100.0))
        self.assertEqual(survey.network, "line")
        self.assertEqual(survey.team_id, self.team)
        self.assertEqual(survey.user_id, self.social_user)
        event = self.events(self.line).filtered(lambda e: e.event_id == "01LINECSAT0002")
        self.assertEqual(event.state, "done")
        self.assertIn("Good", event.outcome)
        self.assertEqual(
            self.env["social_crm.mention"].search_count([("account_id", "=", self.line.id)]),
            mentions_before,
            "a button pressed is an answer, not a new message",
        )
        self.assertIn("Good", ticket.message_ids[:1].body)
        self.assertEqual(ticket.with_user(self.social_user).social_csat_ids.answer, "good")

        # a second press does not change the first answer
        bad = items[2]["action"]["data"]
        self.deliver_line(line_postback("01LINECSAT0003", bad))
        self.run_processing()
        self.assertEqual(survey.answer, "good")

        # the report, as a manager: CSAT per network, team and agent
        Csat = self.env["social_crm.csat"].with_user(self.social_manager)
        self.assertEqual(dict(Csat._read_group([], ["network"], ["satisfied:avg"]))["line"], 100.0)
        self.assertEqual(dict(Csat._read_group([], ["user_id"], ["satisfied:avg"]))[self.social_user], 100.0)
        end = fields.Datetime.now() + timedelta(minutes=1)
        figures = self.env["social_crm.digest"]._figures(survey.company_id, end=end)
        self.assertEqual((figures["csat_answers"], figures["csat"]), (1, 100))
        html = str(self.env["ir.qweb"]._render("social_crm.weekly_digest_body", figures))
        self.assertIn("o_digest_csat", html)

    def test_telegram_round_trip(self):
        ticket = self.ticket_from(lambda: self.deliver_telegram(telegram_update(930001)))
        self.close(ticket, self.social_manager)
        self.env["social_crm.csat"]._cron_send()
        survey = self.csat(ticket)
        self.assertEqual(survey.state, "sent", survey.error)
        [sent] = self.sent(SEND_PATH)
        self.assertEqual(sent["chat_id"], SARA["id"])
        [row] = sent["reply_markup"]["inline_keyboard"]
        self.assertEqual(len(row), 3)
        bad = row[2]["callback_data"]
        self.assertEqual(bad, f"csat:{survey.token}:bad")
        self.assertLessEqual(len(bad.encode()), 64, "Telegram's limit on callback_data")

        self.assertEqual(self.deliver_telegram(telegram_callback(930002, bad)).status_code, 200)
        self.run_processing()
        self.assertEqual((survey.state, survey.answer, survey.satisfied), ("answered", "bad", 0.0))
        [ack] = self.sent(CALLBACK_PATH)
        self.assertEqual(ack["callback_query_id"], "4382bfdwdsb323b2d9")
        [(share,)] = (
            self.env["social_crm.csat"]
            .with_user(self.social_manager)
            ._read_group([("network", "=", "telegram")], [], ["satisfied:avg"])
        )
        self.assertIs(type(share), float, "a Bad answer counts as 0 %, not as no answer")
        self.assertEqual(share, 0.0)
        self.env.cr.execute("SELECT satisfied FROM social_crm_csat WHERE id = %s", [survey.id])
        self.assertEqual(self.env.cr.fetchone()[0], 0.0)

    def test_asked_once(self):
        ticket = self.ticket_from(lambda: self.deliver_line(line_text("01LINECSAT0101", "468789577898262101")))
        self.close(ticket)
        self.env["social_crm.csat"]._cron_send()
        ticket.with_user(self.social_user).write({"stage_id": self.open_stage.id})
        self.close(ticket)
        self.env["social_crm.csat"]._cron_send()
        self.assertEqual(len(self.csat(ticket)), 1)
        surveys = [push for push in self.sent(PUSH_PATH) if "quickReply" in push["messages"][0]]
        self.assertEqual(len(surveys), 1, "never asked twice")

    def test_someone_else_cannot_answer(self):
        ticket = self.ticket_from(lambda: self.deliver_line(line_text("01LINECSAT0201", "468789577898262201")))
        self.close(ticket)
        self.env["social_crm.csat"]._cron_send()
        survey = self.csat(ticket)
        self.deliver_line(
            line_postback("01LINECSAT0202", f"csat:{survey.token}:good", user_id="U0000000000000000000000000000bad")
        )
        self.deliver_line(line_postback("01LINECSAT0203", "csat:0123456789abcdef:good"))
        self.run_processing()
        self.assertEqual(survey.state, "sent")
        outcomes = self.events(self.line).filtered(lambda e: e.event_id in ("01LINECSAT0202", "01LINECSAT0203"))
        self.assertEqual(outcomes.mapped("state"), ["done", "done"])
        self.assertTrue(all(outcome.startswith("Ignored") for outcome in outcomes.mapped("outcome")))

    def test_off_by_default_and_never_public(self):
        self.assertFalse(self.env["social_crm.account"].new({"network": "line"}).csat_enabled, "off by default")
        self.line.csat_enabled = False
        ticket = self.ticket_from(lambda: self.deliver_line(line_text("01LINECSAT0301", "468789577898262301")))
        self.close(ticket)
        self.assertFalse(self.csat(ticket), "the account does not ask")
        # a public conversation (a Bluesky post) is never asked, whatever the account says
        self.account.csat_enabled = True
        with analyzed_as(("en", "negative", "complaint")):
            mention = self.ingest([self.make_item("at://pub/1", "my parcel is lost", author_id="pub")])
        public = mention.ticket_id
        self.assertEqual(public.social_thread_id.visibility, "public")
        self.close(public)
        self.assertFalse(self.csat(public))
