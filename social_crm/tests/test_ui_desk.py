# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The agent's desk in a real browser: ticket by hand, reply from the conversation, a failed post."""

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import analyzed
from .mastodon_case import MastodonReplyCase
from .test_desk import REPLY_LOGGER


@tagged("social_crm", "social_crm_ui", "post_install", "-at_install")
class TestUiDesk(HttpCase, MastodonReplyCase):
    account_name = "Acme on Mastodon (desk tours)"

    def test_agent_creates_a_ticket_by_hand_and_corrects_the_sentiment(self):
        with analyzed("en", "neutral", "other"):
            mention = self.ingest(
                [
                    self.make_item(
                        "at://jane/post/77",
                        "This is unacceptable, fix it now! "
                        "<img src=x onerror=\"document.body.classList.add('o_pwned')\"> \u202eevil",
                    )
                ]
            )
        self.assertFalse(mention.ticket_id)
        self.start_tour(
            f"/odoo/social_crm.mention/{mention.id}", "social_crm_desk_manual_ticket_tour", login="social_user"
        )
        self.assertEqual(mention.nlp_state, "manual")
        self.assertEqual(mention.sentiment, "negative")
        self.assertEqual(mention.ticket_id.user_id, self.social_user)

    def test_agent_replies_from_the_conversation_and_sees_it_pending(self):
        ticket = self.env["helpdesk.ticket"].browse(
            self.mention.with_user(self.social_user).action_create_ticket()["res_id"]
        )
        self.start_tour(f"/odoo/helpdesk.ticket/{ticket.id}", "social_crm_desk_reply_tour", login="social_user")
        reply = ticket.social_reply_ids
        self.assertEqual(reply.state, "to_approve")
        self.assertEqual(reply.parent_mention_id, self.mention)
        self.assertEqual(self.posted, [], "nothing is posted before a manager approves")

    @mute_logger(REPLY_LOGGER)
    def test_failed_post_comes_back_to_its_author(self):
        self.server.fail_with = (401, {}, {"error": "The access token is invalid"})
        reply = self.draft(self.social_user, body="Sorry Jane, we are checking your parcel now.")
        reply.action_submit()
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "failed")
        self.start_tour(
            "/odoo/action-social_crm.social_crm_reply_action_mine",
            "social_crm_desk_failed_reply_tour",
            login="social_user",
        )
