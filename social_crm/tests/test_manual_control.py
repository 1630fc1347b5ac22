# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""People stay in control of the machine's guesses: correct, ticket by hand, mark handled, export."""

import base64
import io
import zipfile
from types import SimpleNamespace
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .network_case import NetworkCase

ANALYZE = "odoo.addons.social_crm.nlp.analyze"


def neutral_other(texts, accurate=False, **_options):
    return [
        SimpleNamespace(
            lang="en",
            sentiment="neutral",
            sentiment_score=0.0,
            intent="other",
            tier="accurate" if accurate else "fast",
            model="test",
        )
        for _text in texts
    ]


@tagged("social_crm", "social_crm_respond", "post_install", "-at_install")
class TestManualControl(NetworkCase):
    def setUp(self):
        super().setUp()
        with patch(ANALYZE, side_effect=neutral_other):
            self.mention = self.ingest([self.make_item("at://jane/post/77", "This is unacceptable, fix it now!")])
        self.assertFalse(self.mention.ticket_id, "the machine saw nothing to answer")

    def correct(self, user, sentiment, intent, mentions=None):
        mentions = (mentions or self.mention).with_user(user)
        wizard = Form(
            self.env["social_crm.mention.correct"].with_user(user).with_context(default_mention_ids=mentions.ids)
        )
        wizard.sentiment = sentiment
        wizard.intent = intent
        wizard.save().action_apply()

    def test_agent_corrects_and_the_conversation_gets_its_ticket(self):
        self.correct(self.social_user, "negative", "complaint")
        self.assertEqual(self.mention.sentiment, "negative")
        self.assertEqual(self.mention.intent, "complaint")
        self.assertEqual(self.mention.nlp_state, "manual")
        self.assertEqual(self.mention.corrected_by_id, self.social_user)
        self.assertTrue(self.mention.ticket_id, "a complaint now: the rules open a ticket")
        self.assertEqual(self.mention.thread_id.sentiment, "negative")

    def test_correction_is_never_overwritten_by_a_later_analysis(self):
        self.correct(self.social_user, "negative", "complaint")
        with patch(ANALYZE, side_effect=neutral_other):
            self.env["social_crm.mention"]._cron_analyze()
            self.env["social_crm.mention"]._cron_analyze()
            self.mention._analyze(accurate=True)
        self.assertEqual(
            (self.mention.sentiment, self.mention.intent, self.mention.nlp_state), ("negative", "complaint", "manual")
        )

    @mute_logger("odoo.access")
    def test_other_company_cannot_correct(self):
        outsider = self.user_of_another_company(
            "outsider_corrections", "Other Co (corrections)", "base.group_user,social_crm.group_social_user"
        )
        with self.assertRaises(AccessError):
            self.mention.with_user(outsider)._apply_correction("positive", "praise")
        self.assertNotEqual(self.mention.nlp_state, "manual")

    def test_agent_creates_a_ticket_by_hand(self):
        action = self.mention.with_user(self.social_user).action_create_ticket()
        ticket = self.env["helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(self.mention.ticket_id, ticket)
        self.assertEqual(ticket.social_thread_id, self.mention.thread_id)
        self.assertEqual(ticket.user_id, self.social_user)
        self.assertEqual(ticket.channel_id, self.env.ref("social_crm.helpdesk_ticket_channel_social"))
        again = self.mention.with_user(self.social_user).action_create_ticket()
        self.assertEqual(again["res_id"], ticket.id, "one ticket per conversation")

    def test_mark_as_handled_closes_the_conversation(self):
        self.mention.with_user(self.social_user).action_mark_handled()
        self.assertEqual(self.mention.thread_id.state, "closed")

    @mute_logger("odoo.access")
    def test_corrections_export_in_the_training_format(self):
        self.correct(self.social_user, "negative", "complaint")
        with self.assertRaises(AccessError):
            self.mention.with_user(self.social_user).action_export_corrections()
        action = self.env["social_crm.mention"].with_user(self.social_manager).action_export_corrections()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(attachment.datas)))
        sentiment = archive.read("sentiment/en_corrections_train.tsv").decode()
        intent = archive.read("intent/en_corrections_train.tsv").decode()
        self.assertEqual(sentiment.splitlines(), ["text\tlabel", "This is unacceptable, fix it now!\tnegative"])
        self.assertEqual(intent.splitlines()[1], "This is unacceptable, fix it now!\tcomplaint")
