# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The social inbox: one list of conversations that need someone, assignment, unread, stages."""

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import analyzed
from .mastodon_case import MastodonReplyCase
from .test_desk import REPLY_LOGGER
from .webhook_case import LINE_USER, WebhookCase, line_text


class InboxCase(MastodonReplyCase):
    def jane_again(self, ext_id, text, minutes):
        """Jane answers the brand in her Mastodon conversation (status 1100), a complaint."""
        jane = {"author_id": "77", "handle": "jane@mastodon.example", "root_id": "1100", "parent_id": "1100"}
        with analyzed("en", "negative", "complaint"):
            return self.ingest([self.make_item(ext_id, text, minutes=minutes, **jane)], account=self.masto)


@tagged("social_crm", "social_crm_inbox", "post_install", "-at_install")
class TestInbox(InboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agents = [cls.new_user(f"agent{n}", name=f"Agent {n}") for n in (1, 2, 3)]
        cls.team.write(
            {"user_ids": [(6, 0, [agent.id for agent in cls.agents])], "social_auto_assign": True, "social_capacity": 2}
        )
        cls.waiting = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.in_progress = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")

    def conversation(self, number, minutes=0, text="Broken again, nobody answers!"):
        return self.customer_says(f"customer{number}", text, name=f"Customer {number}", minutes=minutes).thread_id

    def unassigned_ticket(self):
        """A new ticket nobody is assigned, on the Mastodon conversation."""
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Parcel",
                "description": "Parcel",
                "team_id": self.team.id,
                "social_thread_id": self.thread.id,
                "user_id": False,
            }
        )
        self.thread.sudo().ticket_id = ticket
        return ticket

    # ------------------------------------------------------------------
    # assignment
    # ------------------------------------------------------------------

    def test_round_robin_among_the_team_within_capacity(self):
        threads = [self.conversation(n, minutes=n) for n in range(7)]
        assignees = [thread.user_id for thread in threads]
        a1, a2, a3 = self.agents
        self.assertEqual(assignees[:6], [a1, a2, a3, a1, a2, a3], "in turn, each agent twice (capacity 2)")
        self.assertFalse(assignees[6], "everyone is at capacity: the seventh waits unassigned")
        for thread in threads:
            self.assertTrue(thread.ticket_id)
            self.assertEqual(thread.ticket_id.user_id, thread.user_id, "ticket and conversation agree")
        self.assertEqual(self.team.social_last_assigned_id, a3)
        # an agent closes one conversation: there is room again, and the round robin goes on from a1
        threads[0].sudo().write({"state": "closed"})
        self.assertEqual(self.conversation(8, minutes=8).user_id, a1)

    def test_no_auto_assignment_when_the_team_does_not_ask_for_it(self):
        self.team.social_auto_assign = False
        thread = self.conversation(1)
        self.assertTrue(thread.ticket_id)
        self.assertFalse(thread.user_id)
        self.assertFalse(thread.ticket_id.user_id)

    def test_reassigning_the_ticket_reassigns_the_conversation(self):
        thread = self.conversation(1)
        thread.ticket_id.with_user(self.social_manager).user_id = self.agents[2]
        self.assertEqual(thread.user_id, self.agents[2])
        thread.with_user(self.social_user).action_assign_to_me()
        self.assertEqual(thread.user_id, self.social_user)
        self.assertEqual(thread.ticket_id.user_id, self.social_user)

    def test_the_agent_who_answers_becomes_assignee_and_the_ticket_moves_on(self):
        self.team.social_auto_assign = False
        ticket = self.unassigned_ticket()
        self.assertFalse(ticket.user_id)
        self.assertTrue(ticket.stage_id.unattended, "a new ticket")
        reply = self.draft(self.social_user)
        reply.action_submit()
        self.assertFalse(self.thread.user_id, "waiting for approval is no answer yet")
        reply.with_user(self.social_manager).action_approve()
        self.assertEqual(reply.state, "posted")
        self.assertEqual(self.thread.user_id, self.social_user, "the author answered, not the approver")
        self.assertEqual(ticket.user_id, self.social_user)
        self.assertEqual(ticket.stage_id, self.waiting, "the team has a stage waiting for the customer")
        self.assertFalse(self.thread.waiting_since, "the brand spoke last")
        # the customer writes again: the ticket is in progress again, and the conversation waits
        self.jane_again("1101", "Still nothing!", minutes=120)
        self.assertEqual(ticket.stage_id, self.in_progress)
        self.assertTrue(self.thread.waiting_since)
        self.assertEqual(self.thread.last_message, "Still nothing!")
        # a second answer by someone else keeps the assignee
        second = self.draft(self.social_manager, body="Found it: it arrives tomorrow.")
        second.action_submit()
        self.assertEqual(self.thread.user_id, self.social_user)
        self.assertEqual(ticket.stage_id, self.waiting)

    def test_in_progress_when_the_team_has_no_waiting_stage(self):
        self.team.social_auto_assign = False
        self.waiting.team_ids = [(6, 0, [self.env["helpdesk.ticket.team"].create({"name": "Other"}).id])]
        ticket = self.unassigned_ticket()
        self.draft(self.social_manager).action_submit()
        self.assertEqual(ticket.stage_id, self.in_progress)
        self.assertEqual(self.thread.user_id, self.social_manager)

    # ------------------------------------------------------------------
    # the inbox list
    # ------------------------------------------------------------------

    def test_inbox_rows_name_the_customer_and_sort_by_waiting(self):
        self.team.social_auto_assign = False
        late = self.conversation(1, minutes=-300, text="Where is my refund? " + "x" * 300)
        recent = self.conversation(2, minutes=0)
        self.assertEqual(late.customer_name, "Customer 1")
        self.assertEqual(len(late.last_message), 160, "a short last message")
        self.assertGreater(late.waiting_hours, recent.waiting_hours)
        action = self.env["ir.actions.act_window"]._for_xml_id("social_crm.social_crm_thread_action_inbox")
        Thread = self.env["social_crm.thread"].with_user(self.social_user)
        rows = Thread.web_search_read(
            [("state", "in", ("new", "open")), ("user_id", "in", (self.social_user.id, False))],
            {"customer_name": {}, "is_unread": {}, "waiting_hours": {}},
            order="waiting_since asc, id",
        )["records"]
        ids = [row["id"] for row in rows]
        self.assertLess(ids.index(late.id), ids.index(recent.id), "the longest waiting first")
        self.assertIn("search_default_filter_mine", action["context"])
        # a customer without a name is never shown by the network's raw id
        identity = recent.identity_id.sudo()
        identity.write({"name": False, "handle": False})
        recent.invalidate_recordset(["customer_name"])
        self.assertNotIn("did:plc", recent.customer_name)

    def test_unread_until_the_agent_opens_it_batch_computed(self):
        threads = self.env["social_crm.thread"].browse([self.conversation(n).id for n in range(5)])
        mine = threads.with_user(self.social_user)
        self.assertTrue(all(mine.mapped("is_unread")))
        mine.invalidate_recordset(["is_unread"])
        with self.assertQueryCount(1):
            mine.mapped("is_unread")
        mine[0].action_mark_seen()
        mine.invalidate_recordset(["is_unread"])
        self.assertEqual(mine.mapped("is_unread"), [False, True, True, True, True])
        self.assertTrue(threads[0].with_user(self.social_manager).is_unread, "seen is per user")
        # the customer writes after the visit: unread again
        self.env.cr.execute(
            "UPDATE social_crm_thread_seen SET seen_at = seen_at - interval '1 hour' WHERE thread_id = %s",
            [threads[0].id],
        )
        self.customer_says("customer0", "Hello?", post=2, parent_id="at://customer0/post/1", minutes=30)
        mine.invalidate_recordset(["is_unread"])
        self.assertTrue(mine[0].is_unread)
        # a user who may not read the conversation cannot mark it
        other_company = self.env["res.company"].create({"name": "Other company"})
        stranger = self.new_user("stranger", company=other_company)
        with self.assertRaises(AccessError):
            threads[1].with_user(stranger).action_mark_seen()

    @mute_logger(REPLY_LOGGER)
    def test_send_and_next_opens_the_longest_waiting_conversation(self):
        self.team.social_auto_assign = False
        other = self.conversation(1, minutes=-600)
        self.conversation(2, minutes=-60)
        taken = self.conversation(3, minutes=-900)
        taken.sudo().user_id = self.agents[0]
        reply = self.draft(self.social_user)
        action = reply.action_submit_and_next()
        self.assertEqual(reply.state, "to_approve")
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["next"]["res_id"], other.id, "not someone else's, the longest waiting")
        # a manager's reply goes out at once (here the network is unreachable) and opens the next one directly
        reply = (
            self.env["social_crm.reply"]
            .with_user(self.social_manager)
            .create(
                {
                    "thread_id": other.id,
                    "parent_mention_id": other.mention_ids[:1].id,
                    "body": "We are on it.",
                }
            )
        )
        action = reply.action_submit_and_next()
        self.assertEqual(action["res_model"], "social_crm.thread")

    def test_create_ticket_from_the_conversation(self):
        self.team.social_auto_assign = False
        self.thread.sudo().ticket_id = False
        action = self.thread.with_user(self.social_user).action_create_ticket()
        ticket = self.env["helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(ticket.social_thread_id, self.thread)
        self.assertEqual(self.thread.ticket_id, ticket)
        self.assertEqual(self.thread.user_id, self.social_user, "whoever opens the ticket takes it")


@tagged("social_crm", "social_crm_inbox", "post_install", "-at_install")
class TestDeskSmall(InboxCase):
    """Smaller desk fixes: who is answered, who may answer, what the guard flags."""

    def test_reply_from_a_mention_answers_the_mention_clicked(self):
        later = self.jane_again("1101", "And the second parcel too", minutes=60)
        self.assertEqual(later.thread_id, self.thread)
        action = self.mention.with_user(self.social_user).action_reply()
        self.assertEqual(action["context"]["default_parent_mention_id"], self.mention.id, "the one clicked")
        action = self.thread.with_user(self.social_user).action_reply()
        self.assertEqual(action["context"]["default_parent_mention_id"], later.id, "from the conversation: latest")

    def test_a_user_without_email_submits_a_reply(self):
        agent = self.new_user("no_mail_agent", name="No Mail", email=False)
        self.assertFalse(agent.email)
        reply = self.draft(agent, body="Sorry Jane, we are checking.")
        reply.action_submit()
        self.assertEqual(reply.state, "to_approve")
        self.assertIn("Sent for approval", reply.message_ids.mapped("body")[0])
        self.assertEqual(self.env["social_crm.reply"].search_count([("author_id", "=", agent.id)]), 1, "no stray")

    def test_privacy_guard_allows_the_companys_own_contact_data_and_opening_hours(self):
        self.env.company.write({"phone": "+66 2 123 4567", "email": "care@acme.example"})
        reply = self.draft(self.social_manager, body="We are open Mon-Fri 9-18 (09.00-18.00): call 02 123 4567")
        self.assertFalse(reply.privacy_warning)
        self.assertTrue(self.social_manager.email)
        reply.body = f"Write to care@acme.example or to our agent at {self.social_manager.email}"
        self.assertFalse(reply.privacy_warning, "the company's and its users' addresses are its own")
        reply.body = "Jane, your number 089 999 8888 is noted"
        self.assertIn("phone number", reply.privacy_warning)

    def test_a_plain_employee_cannot_unlink_an_identity(self):
        self.env["res.config.settings"].create({"social_crm_everyone_reads": False}).execute()
        employee = self.new_user("plain_employee", "base.group_user")
        self.assertFalse(employee.has_group("social_crm.group_social_user"))
        identity = self.mention.identity_id
        identity.sudo().partner_id = self.partner
        with self.assertRaises(AccessError):
            identity.with_user(employee).action_unlink_contact()
        self.assertEqual(identity.partner_id, self.partner)
        arch = self.env["res.partner"].with_user(employee).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("action_unlink_contact", arch, "no Unlink button for them")

    def test_private_messages_are_marked_on_the_bubble_and_the_ticket(self):
        item = self.make_item("dm-1", "My order number is 42", author_id="did:plc:dm", handle="dm.test")
        item.visibility = "private"
        item.root_id = "chat:dm"
        with analyzed("en", "negative", "complaint"):
            mention = self.ingest([item])
        thread = mention.thread_id
        self.assertEqual(thread.visibility, "private")
        self.assertIn("Private message", thread.with_user(self.social_user).conversation_html)
        self.assertNotIn("Private message", self.thread.with_user(self.social_user).conversation_html)
        action = thread.with_user(self.social_user).action_create_ticket()
        ticket = self.env["helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(ticket.social_visibility, "private")
        arch = ticket.with_user(self.social_user).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("o_social_private_ticket", arch)


@tagged("social_crm", "social_crm_inbox", "post_install", "-at_install")
class TestHelpdeskTerms(MastodonReplyCase):
    """helpdesk_mgmt ships no Thai or Persian: social_crm's i18n_extra gives the ticket screens theirs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.install_langs(["fa_IR", "th_TH"], ["helpdesk_mgmt", "social_crm"])

    def test_ticket_form_labels_stages_and_priorities_are_translated(self):
        expected = {
            "fa_IR": {"team_id": "تیم", "user_id": "کاربر مسئول", "priority": "اولویت", "description": "توضیحات"},
            "th_TH": {"team_id": "ทีม", "user_id": "ผู้รับผิดชอบ", "priority": "ลำดับความสำคัญ", "description": "คำอธิบาย"},
        }
        for lang, labels in expected.items():
            Ticket = self.env["helpdesk.ticket"].with_user(self.social_user).with_context(lang=lang)
            fields = Ticket.fields_get(list(labels), ["string", "selection"])
            for name, label in labels.items():
                self.assertEqual(fields[name]["string"], label, f"{name} in {lang}")
            self.assertNotIn("High", dict(fields["priority"]["selection"]).values())
            stage = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress").with_context(lang=lang)
            self.assertNotEqual(stage.name, "In Progress", lang)
            arch = Ticket.get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertNotIn('string="Other Information"', arch, lang)
        self.assertEqual(
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting").with_context(lang="fa_IR").name, "در انتظار"
        )


@tagged("social_crm", "social_crm_inbox", "post_install", "-at_install")
class TestDeskLineName(WebhookCase):
    def test_a_line_customer_is_named_on_every_message(self):
        for number in (1, 2):
            self.deliver_line(line_text(f"01FZ74A0TDDPYRVKNK77XKC3Z{number}", f"46878957789826253{number}"))
            self.run_processing()
        mentions = self.env["social_crm.mention"].search([("account_id", "=", self.line.id)], order="id")
        self.assertEqual(len(mentions), 2)
        self.assertEqual(mentions.mapped("author_name"), ["สมชาย", "สมชาย"], "the second message too")
        profile_calls = [r for r in self.server.requests if r["path"] == f"/v2/bot/profile/{LINE_USER}"]
        self.assertEqual(len(profile_calls), 1, "the profile is asked once")
        thread = mentions.thread_id.with_user(self.social_user)
        self.assertEqual(thread.customer_name, "สมชาย")
        self.assertNotIn("Unknown author", thread.conversation_html)
        self.assertNotIn(LINE_USER, thread.customer_name)
