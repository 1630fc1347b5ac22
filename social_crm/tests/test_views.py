# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo.tests import Form, tagged

from .common import SocialCrmCommon


@tagged("social_crm", "social_crm_views", "post_install", "-at_install")
class TestViews(SocialCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mentions = cls.ingest(
            [
                cls.make_item(
                    "at://somchai/post/1",
                    "สั่งของไปสองอาทิตย์แล้วยังไม่ได้รับเลย",
                    author_id="did:plc:test-somchai",
                    handle="somchai.test",
                )
            ]
        )
        cls.mentions.identity_id.partner_id = cls.partner

    def _arch(self, model, view_type="form", user=None):
        env = self.env(user=user) if user else self.env
        views = env[model].get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def test_contact_form_has_social_tab_and_smart_button(self):
        arch = self._arch("res.partner", user=self.social_user)
        self.assertTrue(arch.xpath("//page[@name='social_crm']"))
        self.assertTrue(arch.xpath("//button[@name='action_view_social_mentions']"))
        form = Form(self.partner.with_user(self.social_user))
        self.assertEqual(form.social_mention_count, 1)
        self.assertEqual(len(form.social_identity_ids), 1)
        self.assertEqual(len(form.social_recent_mention_ids), 1)

    def test_contact_smart_button_opens_its_mentions(self):
        action = self.partner.with_user(self.social_user).action_view_social_mentions()
        found = self.env["social_crm.mention"].search(action["domain"])
        self.assertEqual(found, self.mentions)

    def test_ticket_form_shows_conversation_and_reply(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "late order",
                "description": "<p>late</p>",
                "social_thread_id": self.mentions.thread_id.id,
            }
        )
        arch = self._arch("helpdesk.ticket", user=self.social_user)
        self.assertTrue(arch.xpath("//button[@name='action_social_reply']"))
        self.assertTrue(arch.xpath("//page[@name='social_chat']//field[@name='social_chat_html']"))
        form = Form(ticket.with_user(self.social_user))
        self.assertIn(self.mentions.body, form.social_chat_html)
        action = ticket.with_user(self.social_user).action_social_reply()
        self.assertEqual(action["res_model"], "social_crm.reply")
        self.assertEqual(action["context"]["default_parent_mention_id"], self.mentions.id)

    def test_account_form_shows_status_and_buttons(self):
        arch = self._arch("social_crm.account", user=self.social_manager)
        for button in ("action_test_connection", "action_fetch_now"):
            self.assertTrue(arch.xpath(f"//button[@name='{button}']"), button)
        self.assertTrue(arch.xpath("//field[@name='last_error']"))
        self.assertFalse(arch.xpath("//field[@name='token']"), "managers do not even see the token field")
        admin_arch = self._arch("social_crm.account", user=self.env.ref("base.user_admin"))
        self.assertTrue(admin_arch.xpath("//field[@name='token']"))

    def test_mention_views_load(self):
        """Each view is this addon's own (not a default Odoo made up) and the social user can load its data."""
        Mention = self.env["social_crm.mention"].with_user(self.social_user)
        for view_type, field in (
            ("list", "body"),
            ("form", "body"),
            ("kanban", "body"),
            ("pivot", "sentiment"),
            ("graph", "sentiment"),
            ("search", "body"),
        ):
            arch = self._arch("social_crm.mention", view_type, user=self.social_user)
            self.assertEqual(arch.tag, view_type, view_type)
            self.assertTrue(arch.xpath(f"//field[@name='{field}']"), f"{view_type} shows {field}")
        rows = Mention.web_search_read([("id", "in", self.mentions.ids)], {"body": {}, "sentiment": {}})
        self.assertEqual([row["body"] for row in rows["records"]], self.mentions.mapped("body"))
        groups = Mention.web_read_group([("id", "in", self.mentions.ids)], ["sentiment_score:avg"], ["sentiment"])
        self.assertEqual(groups["length"], 1, "the pivot's and graph's grouping works for the social user")
        arch = self._arch("social_crm.mention", "search")
        for name in (
            "group_by_network",
            "group_by_account",
            "group_by_sentiment",
            "group_by_lang",
            "group_by_intent",
            "filter_posted_at",
        ):
            self.assertTrue(arch.xpath(f"//filter[@name='{name}']"), name)

    def test_thread_form_shows_timeline(self):
        arch = self._arch("social_crm.thread", user=self.social_user)
        self.assertTrue(arch.xpath("//page[@name='conversation']//field[@name='conversation_html']"))
        form = Form(self.mentions.thread_id.with_user(self.social_user))
        self.assertIn(self.mentions.body, form.conversation_html)
