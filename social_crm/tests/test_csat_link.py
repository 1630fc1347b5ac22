# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Satisfaction where the network has no buttons (WhatsApp: a short link to a public page, score 1-5 and a
comment), and Instagram Direct's quick replies; both through loopback Graph API servers and the real routes."""

import hashlib
import hmac
import json
import re
import time
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_respond import analyzed_as
from .webhook_case import WebhookCase

APP_SECRET = "d41d8cd98f00b204e9800998ecf8427e"
PHONE_NUMBER_ID = "106540352242922"
WA_ID = "989121234567"
IG_ID = "17841405822304914"
IGSID = "1254459154682919"
PERSIAN = "سلام، سفارشم هنوز نرسیده و هیچ‌کس جواب نمی‌ده"
LINK_RE = re.compile(r"/social_crm/csat/([A-Za-z0-9_-]+)")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def hub_signature(body, secret=APP_SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def whatsapp_text(wamid, text=PERSIAN, wa_id=WA_ID):
    """A text message as the WhatsApp Cloud API webhook reference shows it."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
                            "contacts": [{"profile": {"name": "Sara Ahmadi"}, "wa_id": wa_id}],
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": wamid,
                                    "timestamp": str(int(time.time()) - 5),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def instagram_message(mid, text=None, quick_reply=None):
    """An Instagram Direct message (object: instagram) as Meta's Instagram Messaging webhook reference shows it;
    a quick reply pressed carries ``message.quick_reply.payload``."""
    now_ms = int(time.time() * 1000)
    message = {"mid": mid, "text": text or "my order never came, I want a refund"}
    if quick_reply:
        message["quick_reply"] = {"payload": quick_reply}
    return {
        "object": "instagram",
        "entry": [
            {
                "id": IG_ID,
                "time": now_ms,
                "messaging": [
                    {"sender": {"id": IGSID}, "recipient": {"id": IG_ID}, "timestamp": now_ms - 300, "message": message}
                ],
            }
        ],
    }


class MetaCsatCase(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def whatsapp_sent(request):
            body = json.loads(request["body"])
            return (
                200,
                {},
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                    "messages": [{"id": f"wamid.sent{time.time_ns()}"}],
                },
            )

        def instagram_sent(request):
            body = json.loads(request["body"])
            return 200, {}, {"recipient_id": body["recipient"]["id"], "message_id": f"aWdfZAG1{time.time_ns()}"}

        cls.server.route("POST", f"/{PHONE_NUMBER_ID}/messages", whatsapp_sent)
        cls.server.route("POST", f"/{IG_ID}/messages", instagram_sent)
        cls.server.route(
            "GET", f"/{IGSID}", (200, {}, {"name": "Nok Suda", "username": "nok.suda", "profile_pic": "", "id": IGSID})
        )
        asking = {"secret": APP_SECRET, "csat_enabled": True}
        cls.whatsapp = cls.account_by_id(
            "whatsapp", "Acme IR on WhatsApp", PHONE_NUMBER_ID, token="EAAGwhatsappSystemUserToken", **asking
        )
        cls.instagram = cls.account_by_id(
            "instagram", "Acme on Instagram", IG_ID, token="IGQVJinstagramToken", **asking
        )
        cls.closed = cls.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)

    def deliver_meta(self, account, payload):
        body = json.dumps(payload, ensure_ascii=False).encode()
        return self.deliver(account, body, {"X-Hub-Signature-256": hub_signature(body)})

    def ticket_of(self, account, payload, lang="fa"):
        with analyzed_as((lang, "negative", "complaint")):
            self.assertEqual(self.deliver_meta(account, payload).status_code, 200)
            self.run_processing()
        ticket = self.env["helpdesk.ticket"].search([("social_thread_id.account_id", "=", account.id)], limit=1)
        self.assertTrue(ticket, "a complaint in a private message opens a ticket")
        self.assertEqual(ticket.social_thread_id.visibility, "private")
        return ticket

    def close_and_ask(self, ticket):
        ticket.with_user(self.social_user).write({"stage_id": self.closed.id})
        self.env["social_crm.csat"]._cron_send()
        return self.env["social_crm.csat"].sudo().search([("ticket_id", "=", ticket.id)])


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestCsatByLink(MetaCsatCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")

    def test_whatsapp_link_round_trip(self):
        ticket = self.ticket_of(self.whatsapp, whatsapp_text("wamid.HBgMOTg5MTIxMjM0NTY3FQIAEhggQ1NBVDAx"))
        survey = self.close_and_ask(ticket)
        self.assertEqual((survey.state, survey.asked_by), ("sent", "link"), survey.error)
        [sent] = self.sent(f"/{PHONE_NUMBER_ID}/messages")
        self.assertEqual((sent["to"], sent["type"]), (WA_ID, "text"))
        [token] = LINK_RE.findall(sent["text"]["body"])
        self.assertGreaterEqual(len(token), 24, "an unguessable token")
        self.assertEqual(survey.link_token_hash, hashlib.sha256(token.encode()).hexdigest(), "stored hashed only")
        self.env.cr.execute("SELECT count(*) FROM social_crm_csat WHERE %s IN (token, link_token_hash)", [token])
        self.assertEqual(self.env.cr.fetchone()[0], 0, "the token itself is nowhere in the database")
        self.assertGreater(survey.link_expires_at, fields.Datetime.now() + timedelta(days=6))
        url = f"/social_crm/csat/{token}"

        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.text.count('name="score"'), 5, "a score from 1 to 5")
        self.assertIn('dir="rtl"', page.text, "in the conversation's language (Persian), right to left")
        self.assertIn('lang="fa-IR"', page.text)
        self.assertIn(self.company.name, page.text)
        for private in (PERSIAN, ticket.name, "Sara Ahmadi", WA_ID):
            self.assertNotIn(private, page.text, "nothing of the ticket or the customer on a public page")
        csrf = CSRF_RE.search(page.text).group(1)

        without_csrf = self.url_open(url, data={"score": "1"})
        self.assertEqual(without_csrf.status_code, 400, "a POST without the page's CSRF token is refused")
        self.assertEqual(survey.state, "sent")

        answer = self.url_open(url, data={"csrf_token": csrf, "score": "4", "comment": "ممنون <b>سریع</b> بود"})
        self.assertEqual(answer.status_code, 200)
        self.assertIn("o_csat_thanks", answer.text)
        survey.invalidate_recordset()
        self.assertEqual((survey.state, survey.answer, survey.score), ("answered", "good", 4))
        self.assertEqual(survey.satisfied, 100.0, "4 of 5 counts as satisfied")
        self.assertEqual(survey.comment, "ممنون <b>سریع</b> بود")
        note = ticket.message_ids[:1]
        self.assertIn("4/5", note.body)
        self.assertIn("&lt;b&gt;", note.body, "the customer's comment is text, never HTML")

        again = self.url_open(url, data={"csrf_token": csrf, "score": "1", "comment": "changed my mind"})
        self.assertEqual(again.status_code, 409)
        self.assertIn("o_csat_answered", again.text, "refused politely")
        survey.invalidate_recordset()
        self.assertEqual((survey.score, survey.answer), (4, "good"), "the first answer stays")

        Csat = self.env["social_crm.csat"].with_user(self.social_manager)
        self.assertEqual(dict(Csat._read_group([], ["network"], ["satisfied:avg"]))["whatsapp"], 100.0)

    def test_unknown_expired_and_bad_links(self):
        unknown = self.url_open("/social_crm/csat/NotARealToken0123456789abcdef")
        self.assertEqual(unknown.status_code, 404)
        self.assertIn("o_csat_unknown", unknown.text)
        self.assertNotIn(self.company.name, unknown.text)

        ticket = self.ticket_of(self.whatsapp, whatsapp_text("wamid.HBgMOTg5MTIxMjM0NTY3FQIAEhggQ1NBVDAy"))
        survey = self.close_and_ask(ticket)
        [sent] = self.sent(f"/{PHONE_NUMBER_ID}/messages")
        [token] = LINK_RE.findall(sent["text"]["body"])
        url = f"/social_crm/csat/{token}"
        page = self.url_open(url)
        csrf = CSRF_RE.search(page.text).group(1)
        out_of_range = self.url_open(url, data={"csrf_token": csrf, "score": "9"})
        self.assertEqual(out_of_range.status_code, 400)
        self.assertEqual(survey.state, "sent", "nothing recorded")

        survey.link_expires_at = fields.Datetime.now() - timedelta(minutes=1)
        self.env.flush_all()
        expired = self.url_open(url)
        self.assertEqual(expired.status_code, 410)
        self.assertIn("o_csat_expired", expired.text)
        late = self.url_open(url, data={"csrf_token": csrf, "score": "5"})
        self.assertEqual(late.status_code, 410)
        survey.invalidate_recordset()
        self.assertEqual(survey.state, "sent", "an expired link records nothing")

    def test_one_link_answers_one_ticket_only(self):
        first = self.ticket_of(self.whatsapp, whatsapp_text("wamid.HBgMOTg5MTIxMjM0NTY3FQIAEhggQ1NBVDAz"))
        survey = self.close_and_ask(first)
        [sent] = self.sent(f"/{PHONE_NUMBER_ID}/messages")
        [token] = LINK_RE.findall(sent["text"]["body"])
        other = self.ticket_of(
            self.instagram, instagram_message("aWdfZAG1other"), lang="en"
        )  # another customer's ticket, asked with buttons
        other_survey = self.close_and_ask(other)
        page = self.url_open(f"/social_crm/csat/{token}")
        csrf = CSRF_RE.search(page.text).group(1)
        self.url_open(f"/social_crm/csat/{token}", data={"csrf_token": csrf, "score": "2"})
        survey.invalidate_recordset()
        other_survey.invalidate_recordset()
        self.assertEqual((survey.answer, survey.score), ("bad", 2))
        self.assertEqual(other_survey.state, "sent", "the other ticket's survey is untouched")
        self.assertNotIn("Nok Suda", page.text)


@tagged("social_crm", "social_crm_webhooks", "post_install", "-at_install")
class TestCsatInstagram(MetaCsatCase):
    def test_instagram_quick_replies_round_trip(self):
        ticket = self.ticket_of(self.instagram, instagram_message("aWdfZAG1csat01"), lang="en")
        survey = self.close_and_ask(ticket)
        self.assertEqual((survey.state, survey.asked_by), ("sent", "buttons"), survey.error)
        [sent] = self.sent(f"/{IG_ID}/messages")
        self.assertEqual(sent["recipient"], {"id": IGSID})
        self.assertEqual(sent["messaging_type"], "RESPONSE")
        replies = sent["message"]["quick_replies"]
        self.assertEqual([reply["content_type"] for reply in replies], ["text"] * 3)
        self.assertTrue(all(len(reply["title"]) <= 20 for reply in replies), "Instagram's limit on a title")
        self.assertEqual(replies[0]["payload"], f"csat:{survey.token}:good")
        mentions_before = self.env["social_crm.mention"].search_count([("account_id", "=", self.instagram.id)])

        # the customer taps "OK": Instagram sends a message with quick_reply.payload to the real route
        pressed = instagram_message("aWdfZAG1csat02", text=replies[1]["title"], quick_reply=replies[1]["payload"])
        self.assertEqual(self.deliver_meta(self.instagram, pressed).status_code, 200)
        self.run_processing()
        survey.invalidate_recordset()
        self.assertEqual((survey.state, survey.answer, survey.satisfied), ("answered", "ok", 0.0))
        self.assertEqual(survey.network, "instagram")
        self.assertEqual(
            self.env["social_crm.mention"].search_count([("account_id", "=", self.instagram.id)]),
            mentions_before,
            "a quick reply pressed is an answer, not a new message",
        )
        event = self.events(self.instagram).filtered(lambda e: e.event_id == "aWdfZAG1csat02")
        self.assertEqual(event.state, "done")
        self.assertIn("OK", event.outcome)
