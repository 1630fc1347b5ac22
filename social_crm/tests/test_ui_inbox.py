# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The social inbox in a real browser: an agent answers and goes on; a Persian agent reads a mixed list."""

from odoo.tests import HttpCase, tagged

from .common import SocialCrmCommon

ENGLISH = "The parcel I ordered three weeks ago has still not arrived and nobody answers my messages, " * 2
THAI = "พัสดุที่สั่งไว้สามสัปดาห์แล้วยังไม่มาถึงเลย และไม่มีใครตอบข้อความของฉันเลย ช่วยตรวจสอบให้ด้วยครับ " * 2
PERSIAN = "بسته‌ای که سه هفته پیش سفارش دادم هنوز نرسیده و هیچ‌کس به پیام‌هایم پاسخ نمی‌دهد، لطفاً پیگیری کنید " * 2


@tagged("social_crm", "social_crm_ui", "post_install", "-at_install")
class TestUiInbox(HttpCase, SocialCrmCommon):
    def conversation(self, key, text, name, minutes, lang="en"):
        return self.customer_says(key, text, lang=lang, name=name, minutes=minutes).thread_id

    def test_agent_answers_from_the_inbox_and_goes_on_to_the_next(self):
        other_agent = self.new_user("agent_one", "base.group_user,social_crm.group_social_user", name="Agent One")
        old = self.conversation("old", "My parcel is late, waiting since this morning", "Customer Old", -600)
        second = self.conversation("two", "I am second in line, any news?", "Customer Two", -60)
        taken = self.conversation("taken", "Someone else handles me", "Taken by Agent 1", -900)
        taken.sudo().user_id = other_agent
        self.env["social_crm.canned.reply"].create(
            {"name": "Parcel delay", "body": "Sorry for the wait, we are checking your parcel now."}
        )
        self.start_tour(
            "/odoo/action-social_crm.social_crm_thread_action_inbox", "social_crm_inbox_agent_tour", login="social_user"
        )
        reply = self.env["social_crm.reply"].search([("thread_id", "=", old.id)])
        self.assertEqual(reply.state, "to_approve")
        self.assertEqual(reply.body, "Sorry for the wait, we are checking your parcel now.")
        self.assertFalse(old.with_user(self.social_user).is_unread, "opened")
        self.assertFalse(second.with_user(self.social_user).is_unread, "the next one was opened too")
        self.assertTrue(taken.with_user(self.social_user).is_unread, "never opened")

    def test_persian_inbox_keeps_each_cell_in_its_own_direction(self):
        self.install_langs(["fa_IR"], ["helpdesk_mgmt", "social_crm"])
        self.social_user.lang = "fa_IR"
        self.conversation("en", ENGLISH, "Jane Doe", -300)
        self.conversation("th", THAI, "สมชาย รักดี", -200, lang="th")
        self.conversation("fa", PERSIAN, "مریم احمدی", -100, lang="fa")
        self.start_tour(
            "/odoo/action-social_crm.social_crm_thread_action_inbox", "social_crm_inbox_rtl_tour", login="social_user"
        )
        self.start_tour(
            "/odoo/action-social_crm.social_crm_mention_action",
            "social_crm_inbox_rtl_mentions_tour",
            login="social_user",
        )
