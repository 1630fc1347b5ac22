# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from urllib.parse import parse_qs

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SocialCrmCommon
from .loopback import LoopbackServer

BRAND = {
    "id": "1",
    "username": "acme",
    "acct": "acme",
    "display_name": "Acme",
    "url": "https://mastodon.example/@acme",
    "avatar": "",
    "followers_count": 5000,
    "note": "",
}


def status_json(status_id, text, in_reply_to):
    return {
        "id": status_id,
        "uri": f"https://mastodon.example/users/acme/statuses/{status_id}",
        "url": f"https://mastodon.example/@acme/{status_id}",
        "created_at": "2026-11-01T10:30:00.000Z",
        "in_reply_to_id": in_reply_to,
        "content": f"<p>{text}</p>",
        "language": "en",
        "account": BRAND,
        "visibility": "public",
        "mentions": [],
        "tags": [],
    }


@tagged("social_crm", "social_crm_reply", "post_install", "-at_install")
class TestReply(SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = LoopbackServer()
        cls.server.__enter__()
        cls.addClassCleanup(cls.server.__exit__, None, None, None)
        cls.posted = []

        def post_status(request):
            body = request["body"].decode()
            data = json.loads(body) if body.startswith("{") else {k: v[0] for k, v in parse_qs(body).items()}
            if cls.server.fail_with:
                return cls.server.fail_with
            status_id = str(2000 + len(cls.posted))
            cls.posted.append(data)
            return 200, {}, status_json(status_id, data["status"], data.get("in_reply_to_id"))

        cls.server.fail_with = None
        cls.server.route("GET", "/api/v1/accounts/verify_credentials", (200, {}, BRAND))
        cls.server.route("POST", "/api/v1/statuses", post_status)
        cls.masto = cls.env["social_crm.account"].create(
            {
                "name": "Acme on Mastodon (test)",
                "network": "mastodon",
                "base_url": cls.server.url,
                "login": "acme",
                "token": "token-123",
                "state": "connected",
                "team_id": cls.team.id,
                "own_external_id": "1",
            }
        )
        cls.mention = cls.env["social_crm.mention"]._ingest_items(
            cls.masto,
            [
                cls.make_item(
                    "1100",
                    "@acme my parcel never arrived, this is terrible",
                    author_id="77",
                    handle="jane@mastodon.example",
                    name="Jane",
                ),
            ],
        )
        cls.thread = cls.mention.thread_id

    def setUp(self):
        super().setUp()
        self.posted.clear()
        self.server.fail_with = None

    def draft(self, user, body="Sorry Jane, we are checking your parcel now."):
        action = self.thread.with_user(user).action_reply()
        ctx = {key[len("default_") :]: value for key, value in action["context"].items()}
        return self.env["social_crm.reply"].with_user(user).create({**ctx, "body": body})

    def test_manager_posts_directly_and_it_is_audited(self):
        reply = self.draft(self.social_manager)
        reply.action_submit()
        self.assertEqual(reply.state, "posted")
        self.assertEqual(len(self.posted), 1)
        self.assertEqual(self.posted[0]["in_reply_to_id"], "1100")
        self.assertEqual(self.posted[0]["status"], "Sorry Jane, we are checking your parcel now.")
        outbound = reply.posted_mention_id
        self.assertEqual(outbound.direction, "outbound")
        self.assertEqual(outbound.thread_id, self.thread)
        self.assertEqual(outbound.parent_id, self.mention)
        self.assertEqual(self.thread.state, "answered")
        self.assertTrue(self.thread.first_response_at)
        ticket = self.mention.ticket_id
        self.assertTrue(ticket, "the complaint had made a ticket")
        self.assertEqual(outbound.ticket_id, ticket)
        self.assertTrue(ticket.social_first_response_at)
        audit = ticket.message_ids.filtered(lambda m: "Reply posted" in (m.body or ""))
        self.assertTrue(audit)
        self.assertIn("Mia Manager", audit[0].body)

    def test_user_draft_waits_for_approval(self):
        reply = self.draft(self.social_user)
        reply.action_submit()
        self.assertEqual(reply.state, "to_approve")
        self.assertEqual(self.posted, [], "nothing leaves Odoo before approval")
        activity = reply.activity_ids.filtered(lambda a: a.user_id == self.social_manager)
        self.assertTrue(activity, "managers get an approval activity")
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            reply.action_approve()
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted")
        self.assertEqual(reply.approver_id, self.social_manager)
        self.assertEqual(len(self.posted), 1)
        self.assertFalse(reply.activity_ids)

    def test_manager_rejects_with_a_reason(self):
        reply = self.draft(self.social_user)
        reply.action_submit()
        wizard = (
            self.env["social_crm.reply.reject"]
            .with_user(self.social_manager)
            .create({"reply_ids": [(6, 0, reply.ids)], "reason": "Tone: please apologise first"})
        )
        wizard.action_reject()
        self.assertEqual(reply.state, "rejected")
        self.assertEqual(reply.reject_reason, "Tone: please apologise first")
        self.assertEqual(self.posted, [])

    @mute_logger("odoo.addons.social_crm.models.social_crm_reply")
    def test_failed_post_keeps_the_draft_and_never_posts_twice(self):
        self.server.fail_with = (401, {}, {"error": "The access token is invalid"})
        reply = self.draft(self.social_manager)
        reply.action_submit()
        self.assertEqual(reply.state, "failed")
        self.assertTrue(reply.error_message)
        self.assertEqual(reply.body, "Sorry Jane, we are checking your parcel now.")
        self.assertFalse(reply.posted_mention_id)
        self.server.fail_with = None
        reply.action_submit()
        self.assertEqual(reply.state, "posted")
        reply._post()  # a second click, or a second worker
        self.assertEqual(len(self.posted), 1)

    def test_length_limit_and_privacy_guard(self):
        reply = self.draft(self.social_manager, body="x" * 501)
        self.assertTrue(reply.too_long)
        with self.assertRaises(UserError):
            reply.action_submit()
        reply.body = "Mail us at care@acme.example or call +66 2 123 4567"
        self.assertIn("email address", reply.privacy_warning)
        self.assertIn("phone number", reply.privacy_warning)
        with self.assertRaises(UserError):
            reply.action_submit()
        reply.privacy_acknowledged = True
        reply.action_submit()
        self.assertEqual(reply.state, "posted")

    def test_canned_reply_fills_placeholders(self):
        canned = self.env["social_crm.canned.reply"].create(
            {
                "name": "sorry",
                "body": "Hi {name}, sorry! Ticket {ticket}. {unknown}",
            }
        )
        reply = self.draft(self.social_manager)
        reply.template_id = canned
        reply._onchange_template_id()
        self.assertEqual(reply.body, f"Hi Jane, sorry! Ticket {self.thread.ticket_id.number or ''}. {{unknown}}")

    def test_users_cannot_edit_others_drafts(self):
        reply = self.draft(self.social_manager)
        with self.assertRaises(AccessError), mute_logger("odoo.access"):
            reply.with_user(self.social_user).write({"body": "hijacked"})
