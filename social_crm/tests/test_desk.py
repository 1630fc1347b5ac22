# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The agent's desk: the conversation as a chat on the ticket, replies where they work, feedback, routing."""

import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .common import SocialCrmCommon, analyzed
from .mastodon_case import MastodonReplyCase

REPLY_LOGGER = "odoo.addons.social_crm.models.social_crm_reply"


@tagged("social_crm", "social_crm_desk", "post_install", "-at_install")
class TestDeskConversation(SocialCrmCommon):
    """The ticket's first tab shows the conversation as a chat, safely, in every script."""

    def setUp(self):
        super().setUp()
        with analyzed("en", "neutral", "other"):
            self.first = self.ingest(
                [
                    self.make_item(
                        "at://jane/post/1",
                        'Hi <img src=x onerror="alert(1)"> my order \u202eevil\u202c is late',
                        name="Jane <b>Doe</b>",
                    )
                ]
            )
        self.ticket = self.first.with_user(self.social_user).action_create_ticket()
        self.ticket = self.env["helpdesk.ticket"].browse(self.ticket["res_id"])

    def chat(self, user=None):
        return self.ticket.with_user(user or self.social_user).social_chat_html

    def test_hostile_text_renders_as_text(self):
        html = self.chat()
        self.assertNotIn("<img", html)
        self.assertNotIn("<b>Doe", html)
        self.assertIn("&lt;img", html)
        self.assertIn("Jane &lt;b&gt;Doe&lt;/b&gt;", html)
        self.assertNotIn("\u202e", html, "a right-to-left override is never obeyed")
        self.assertIn("[U+202E]evil[U+202C]", html)

    def test_messages_in_order_customer_left_brand_right_with_details(self):
        with analyzed("fa", "negative", "complaint"):
            self.ingest(
                [
                    self.make_item(
                        "at://jane/post/2",
                        "هنوز نرسیده! order #42",
                        root_id="at://jane/post/1",
                        parent_id="at://jane/post/1",
                        minutes=5,
                    ),
                    self.brand_item(
                        "at://acme/post/3", "Sorry Jane, we are on it.", "at://jane/post/1", "at://jane/post/2", 10
                    ),
                ]
            )
        html = self.chat()
        customer_1 = html.index("my order")
        customer_2 = html.index("هنوز نرسیده")
        brand = html.index("we are on it")
        self.assertLess(customer_1, customer_2)
        self.assertLess(customer_2, brand)
        bubbles = re.findall(r"o_social_msg o_social_msg_(\w+)", html)
        self.assertEqual(bubbles, ["customer", "customer", "brand"])
        persian = html[html.rindex("o_social_msg_customer") : brand]
        self.assertIn('dir="rtl"', persian, "a Persian post is laid out right to left")
        self.assertIn("Persian", persian, "the language by its name, not its code")
        self.assertIn("Negative", persian)
        self.assertIn("Complaint", persian)
        self.assertIn('href="https://bsky.app/profile/jane.test/post/2"', persian)
        self.assertIn("Open the post", persian)
        self.assertIn("English", html[:customer_2])

    def test_language_name_follows_the_users_language(self):
        self.env["res.lang"]._activate_lang("th_TH")
        self.first.sudo().lang = "fa"
        self.social_user.lang = "th_TH"
        html = self.ticket.with_user(self.social_user).with_context(lang="th_TH").social_chat_html
        self.assertIn("เปอร์เซีย", html)

    def test_unknown_language_is_isolated(self):
        self.first.sudo().lang = False
        html = self.chat()
        self.assertIn('dir="auto"', html)
        self.assertIn("\u2068Hi", html, "the text is a first-strong isolate")

    def test_new_inbound_message_joins_and_notifies_followers(self):
        self.ticket.message_subscribe(partner_ids=self.social_manager.partner_id.ids)
        self.customer_says("jane", "Still nothing, hello?", post=9, parent_id="at://jane/post/1", minutes=30)
        self.assertIn("Still nothing", self.chat())
        message = self.ticket.message_ids.filtered(lambda m: "Still nothing" in (m.body or ""))
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertIn(self.social_manager.partner_id, message.notified_partner_ids)

    def test_pending_reply_shows_on_the_ticket_and_conversation(self):
        reply = (
            self.env["social_crm.reply"]
            .with_user(self.social_user)
            .create(
                {
                    "thread_id": self.ticket.social_thread_id.id,
                    "ticket_id": self.ticket.id,
                    "parent_mention_id": self.first.id,
                    "body": "We are checking your order now.",
                }
            )
        )
        reply.action_submit()
        self.assertEqual(reply.state, "to_approve")
        ticket = self.ticket.with_user(self.social_user)
        self.assertEqual(ticket.social_pending_reply_count, 1)
        self.assertEqual(ticket.social_thread_id.pending_reply_count, 1)
        html = ticket.social_chat_html
        self.assertIn("We are checking your order now.", html)
        self.assertIn("Waiting for approval", html)
        self.assertIn("waits for a manager", ticket.message_ids[:1].body)
        action = ticket.action_social_pending_replies()
        self.assertEqual(self.env["social_crm.reply"].search(action["domain"]), reply)

    def test_reply_box_opens_the_composer_on_the_last_customer_message(self):
        last = self.customer_says("jane", "and?", post=5, minutes=3)
        action = self.ticket.with_user(self.social_user).action_social_reply()
        self.assertEqual(action["context"]["default_parent_mention_id"], last.id)
        self.assertEqual(action["context"]["default_ticket_id"], self.ticket.id)

    def test_the_conversation_is_the_first_tab(self):
        arch = self.env["helpdesk.ticket"].with_user(self.social_user).get_view(view_type="form")["arch"]
        pages = re.findall(r'<page[^>]*name="([^"]+)"', arch)
        self.assertEqual(pages[0], "social_chat")
        self.assertIn('name="social_chat_html"', arch)


@tagged("social_crm", "social_crm_desk", "post_install", "-at_install")
class TestDeskReplyWhereItWorks(SocialCrmCommon):
    def make_feed_ticket(self):
        feed = self.env["social_crm.account"].create(
            {
                "name": "Acme blog comments",
                "network": "feed",
                "base_url": "https://blog.example/feed",
                "team_id": self.team.id,
            }
        )
        with analyzed("en", "negative", "complaint"):
            mention = self.ingest(
                [self.make_item("https://blog.example/p/1#c1", "This article is wrong")], account=feed
            )
        return self.env["helpdesk.ticket"].browse(mention.with_user(self.social_user).action_create_ticket()["res_id"])

    def test_feed_ticket_offers_the_post_not_a_reply(self):
        ticket = self.make_feed_ticket().with_user(self.social_user)
        self.assertFalse(ticket.social_can_reply)
        action = ticket.action_social_open_post()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertTrue(action["url"].startswith("https://"))
        arch = self.env["helpdesk.ticket"].with_user(self.social_user).get_view(view_type="form")["arch"]
        reply_button = re.search(r'<button[^>]*name="action_social_reply"[^>]*>', arch).group()
        self.assertIn("social_can_reply", reply_button, "the reply button hides where the network takes none")

    def test_not_connected_account_is_said_before_writing(self):
        self.account.sudo().state = "draft"
        with analyzed():
            mention = self.ingest([self.make_item("at://jane/post/1", "broken")])
        ticket = self.env["helpdesk.ticket"].browse(
            mention.with_user(self.social_user).action_create_ticket()["res_id"]
        )
        self.assertEqual(ticket.with_user(self.social_user).social_account_state, "draft")
        action = ticket.with_user(self.social_user).action_social_reply()
        composer = Form(
            self.env["social_crm.reply"].with_user(self.social_user).with_context(**action["context"]),
            view="social_crm.social_crm_reply_view_form_composer",
        )
        self.assertEqual(composer.account_state, "draft")
        arch = self.env["social_crm.reply"].get_view(self.env.ref("social_crm.social_crm_reply_view_form_composer").id)[
            "arch"
        ]
        self.assertIn("The account is not connected", arch)
        ticket_arch = self.env["helpdesk.ticket"].with_user(self.social_user).get_view(view_type="form")["arch"]
        self.assertIn("The account is not connected: the reply cannot be posted", ticket_arch)

    def test_canned_replies_in_the_customers_language_come_first(self):
        Canned = self.env["social_crm.canned.reply"]
        Canned.create(
            [
                {"name": "A English sorry", "body": "Sorry", "lang": "en", "sequence": 1},
                {"name": "B Any", "body": "Hello", "sequence": 2},
                {"name": "C Thai sorry", "body": "ขออภัย", "lang": "th", "sequence": 3},
            ]
        )
        names = [
            name
            for _id, name in Canned.with_user(self.social_user)
            .with_context(social_crm_customer_lang="th")
            .name_search("", limit=100)
            if name[:2] in ("A ", "B ", "C ")
        ]
        self.assertEqual(names, ["C Thai sorry", "B Any", "A English sorry"])


@tagged("social_crm", "social_crm_desk", "post_install", "-at_install")
class TestDeskReplyFeedback(MastodonReplyCase):
    account_name = "Acme on Mastodon (desk)"

    def approve_failing(self, status, payload):
        self.server.fail_with = (status, {}, payload)
        reply = self.draft(self.social_user)
        reply.action_submit()
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "failed")
        return reply

    @mute_logger(REPLY_LOGGER)
    def test_refused_credentials_offer_no_post_again(self):
        reply = self.approve_failing(401, {"error": "The access token is invalid"})
        self.assertFalse(reply.can_retry)
        self.assertIn("rejected the credentials", reply.error_message)
        todo = reply.activity_ids.filtered(lambda a: a.user_id == self.social_user)
        self.assertTrue(todo, "the author has it on their list")
        # Not through the button, not through the server either: nothing is sent again.
        requests_before = len(self.posted)
        with self.assertRaises(UserError):
            reply.with_user(self.social_user).action_submit()
        self.assertEqual(len(self.posted), requests_before)
        self.assertEqual(reply.state, "failed")
        # A manager may insist once the administrator fixed the account.
        self.server.fail_with = None
        reply.with_user(self.social_manager).action_submit()
        self.assertEqual(reply.state, "posted")

    @mute_logger(REPLY_LOGGER)
    def test_refused_text_offers_no_post_again(self):
        self.assertFalse(self.approve_failing(422, {"error": "Validation failed: Text too spammy"}).can_retry)

    @mute_logger(REPLY_LOGGER)
    def test_busy_network_offers_post_again_and_it_works(self):
        reply = self.approve_failing(503, {"error": "Service Unavailable"})
        self.assertTrue(reply.can_retry)
        self.server.fail_with = None
        reply.with_user(self.social_user).action_submit()
        self.assertEqual(reply.state, "posted")
        self.assertEqual(len(self.posted), 1)

    def test_post_again_button_depends_on_can_retry(self):
        arch = self.env["social_crm.reply"].get_view(self.env.ref("social_crm.social_crm_reply_view_form").id)["arch"]
        button = re.search(r'<button[^>]*string="Post again"[^>]*>', arch).group()
        self.assertIn("not can_retry", button)
        self.assertIn("Customer wrote", arch)
        self.assertIn("Our reply", arch)

    def test_my_replies_for_agents_replies_to_approve_for_managers(self):
        Menu = self.env["ir.ui.menu"]
        mine = self.env.ref("social_crm.social_crm_reply_mine_menu")
        to_approve = self.env.ref("social_crm.social_crm_reply_menu")
        helpdesk_to_approve = self.env.ref("social_crm.helpdesk_social_reply_menu")
        agent_menus = Menu.with_user(self.social_user)._visible_menu_ids()
        manager_menus = Menu.with_user(self.social_manager)._visible_menu_ids()
        self.assertIn(mine.id, agent_menus)
        self.assertNotIn(to_approve.id, agent_menus)
        self.assertNotIn(helpdesk_to_approve.id, agent_menus)
        self.assertIn(to_approve.id, manager_menus)
        mine_reply = self.draft(self.social_user)
        other_reply = self.draft(self.social_manager, body="Manager's own reply")
        action = self.env["ir.actions.act_window"]._for_xml_id("social_crm.social_crm_reply_action_mine")
        self.assertIn("search_default_filter_mine", action["context"])
        mine_filter = [("author_id", "=", self.social_user.id)]
        found = self.env["social_crm.reply"].with_user(self.social_user).search(mine_filter)
        self.assertIn(mine_reply, found)
        self.assertNotIn(other_reply, found)


@tagged("social_crm", "social_crm_desk", "post_install", "-at_install")
class TestDeskRouting(SocialCrmCommon):
    def test_fetched_tickets_are_not_given_to_whoever_fetched(self):
        self.env.company.helpdesk_mgmt_ticket_auto_assign = True
        self.team.user_ids = self.social_manager
        with analyzed():
            mention = (
                self.env["social_crm.mention"]
                .with_user(self.social_manager)
                ._ingest_items(self.account, [self.make_item("at://jane/post/1", "broken again")])
            )
        ticket = mention.sudo().ticket_id
        self.assertTrue(ticket)
        self.assertEqual(ticket.team_id, self.team)
        self.assertFalse(ticket.user_id, "the ticket waits in its team, unassigned")

    def test_account_without_team_gets_the_social_team(self):
        social_team = self.env.ref("social_crm.helpdesk_team_social")
        account = self.env["social_crm.account"].create(
            {"name": "New Bluesky", "network": "bluesky", "base_url": "http://127.0.0.1:9"}
        )
        self.assertEqual(account.team_id, social_team, "a new account starts with the default team")
        account.team_id = False
        with analyzed():
            mention = self.ingest([self.make_item("at://jane/post/1", "broken")], account=account)
        self.assertEqual(mention.ticket_id.team_id, social_team)
        arch = self.env["social_crm.account"].get_view(view_type="form")["arch"]
        self.assertIn("No helpdesk team.", arch)

    def test_social_ticket_list_keeps_new_tickets(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("social_crm.helpdesk_ticket_action_social")
        context = safe_eval(action["context"])
        ticket = Form(self.env["helpdesk.ticket"].with_user(self.social_user).with_context(**context))
        ticket.name = "Called about a tweet"
        ticket.description = "<p>by phone</p>"
        ticket = ticket.save()
        domain = safe_eval(action["domain"])
        self.assertIn(ticket, self.env["helpdesk.ticket"].search(domain))
        with analyzed():
            mention = self.ingest([self.make_item("at://jane/post/1", "broken")])
        listed = (
            self.env["helpdesk.ticket"]
            .with_user(self.social_user)
            .search_read(domain, ["social_network", "social_sentiment", "social_lang_name", "social_waiting_hours"])
        )
        row = next(row for row in listed if row["id"] == mention.ticket_id.id)
        self.assertEqual(row["social_network"], "bluesky")
        self.assertEqual(row["social_sentiment"], "negative")
        self.assertEqual(row["social_lang_name"], "English")
        self.assertGreater(row["social_waiting_hours"], 0)

    def incident(self, texts, minutes=0, prefix="p"):
        mentions = self.env["social_crm.mention"]
        for index, text in enumerate(texts):
            with analyzed():
                mentions |= self.ingest(
                    [
                        self.make_item(
                            f"at://{prefix}{index}/post/1",
                            text,
                            author_id=f"did:plc:{prefix}{index}",
                            handle=f"{prefix}{index}.test",
                            minutes=minutes + index,
                        )
                    ]
                )
        return mentions

    def test_one_incident_is_offered_as_one_ticket(self):
        mentions = self.incident(
            [
                "@acme.test the app is down again, I cannot log in",
                "@acme.test The app is down again?? cannot log in!!",
                "@acme.test app is down again and I cannot log in",
                "@acme.test thanks for the quick delivery, love it",
            ]
        )
        tickets = mentions.ticket_id
        self.assertEqual(len(tickets), 4, "one ticket per conversation as they arrive")
        main = mentions[0].ticket_id.with_user(self.social_user)
        self.env.invalidate_all()  # the agent opens the ticket: a new request
        self.assertEqual(main.social_similar_ticket_ids, mentions[1:3].ticket_id)
        main.action_social_merge_similar()
        for other in mentions[1:3].ticket_id:
            self.assertTrue(other.closed)
            self.assertEqual(other.duplicate_id, main)
        self.assertFalse(mentions[3].ticket_id.closed)
        # The customer of a merged conversation writes again: it lands on the incident's ticket.
        with analyzed():
            later = self.ingest(
                [
                    self.make_item(
                        "at://p1/post/2", "still down", author_id="did:plc:p1", root_id="at://p1/post/1", minutes=9
                    )
                ]
            )
        self.assertEqual(later.ticket_id, main)
        self.assertTrue(any("still down" in body for body in main.message_ids.mapped("body")))

    def test_same_text_outside_the_window_is_not_an_incident(self):
        mentions = self.incident(["the app is down again, I cannot log in"])
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(hours=3), mentions.ticket_id.id],
        )
        later = self.incident(["the app is down again, I cannot log in!"], prefix="q")
        self.assertTrue(later.ticket_id)
        self.env.invalidate_all()
        self.assertFalse(mentions.ticket_id.with_user(self.social_user).social_similar_ticket_ids)
        self.assertFalse(later.ticket_id.with_user(self.social_user).social_similar_ticket_ids)
