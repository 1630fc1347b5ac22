# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""No silent failures in the analysis: what is analyzed late is routed, failures back off, states tell the truth."""

from types import SimpleNamespace
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.social_crm import nlp
from odoo.addons.social_crm.nlp import sentiment

from .common import SocialCrmCommon

ANALYZE = "odoo.addons.social_crm.nlp.analyze"
MENTION_LOGGER = "odoo.addons.social_crm.models.social_crm_mention"


def scored(sentiment, intent, tier="fast", model=None):
    def analyze(texts, accurate=False, **_options):
        return [
            SimpleNamespace(
                lang="en",
                sentiment=sentiment,
                sentiment_score=-0.8 if sentiment == "negative" else 0.6,
                intent=intent,
                tier=tier,
                model=model or f"{tier}-test",
            )
            for _text in texts
        ]

    return analyze


@tagged("social_crm", "social_crm_analysis", "post_install", "-at_install")
class TestAnalysisRouting(SocialCrmCommon):
    def ingest_while_analysis_is_down(self, text="This is unacceptable, my order never came. Fix it now!"):
        with patch(ANALYZE, side_effect=RuntimeError("model file missing")), mute_logger(MENTION_LOGGER):
            return self.ingest([self.make_item("at://jane/post/1", text)])

    def progress(self):
        calls = []
        original = type(self.env["ir.cron"])._notify_progress

        def record(cron, *, done, remaining, deactivate=False):
            calls.append((done, remaining))
            return original(cron, done=done, remaining=remaining, deactivate=deactivate)

        return calls, patch.object(type(self.env["ir.cron"]), "_notify_progress", record)

    def test_complaint_stored_while_analysis_was_down_gets_its_ticket_once(self):
        mention = self.ingest_while_analysis_is_down()
        self.assertEqual(mention.nlp_state, "pending")
        self.assertFalse(mention.ticket_id, "rules need the analysis: no decision yet")
        with patch(ANALYZE, side_effect=scored("negative", "complaint")):
            self.env["social_crm.mention"]._cron_analyze()
        self.assertTrue(mention.ticket_id, "the analysis cron routes what it analyzed")
        self.assertEqual(mention.thread_id.ticket_id, mention.ticket_id)
        self.assertEqual(mention.thread_id.sentiment, "negative")
        tickets = self.env["helpdesk.ticket"].search_count([("social_thread_id", "=", mention.thread_id.id)])
        with patch(ANALYZE, side_effect=scored("negative", "complaint", tier="accurate")):
            self.env["social_crm.mention"]._cron_analyze()
            self.env["social_crm.mention"]._cron_analyze()
        self.assertEqual(
            self.env["helpdesk.ticket"].search_count([("social_thread_id", "=", mention.thread_id.id)]),
            tickets,
            "routed exactly once",
        )

    def test_broken_model_reports_no_progress_and_backs_off(self):
        mention = self.ingest_while_analysis_is_down()
        calls, progress = self.progress()
        broken = patch(ANALYZE, side_effect=RuntimeError("model file missing"))
        with broken as analyze, progress, mute_logger(MENTION_LOGGER):
            self.assertEqual(self.env["social_crm.mention"]._cron_analyze(), 0)
            self.assertEqual(calls[-1], (0, 0), "no progress: the cron runner must not call again at once")
            self.assertEqual(mention.nlp_state, "failed", "the failure shows on the mention")
            self.assertEqual(mention.nlp_attempts, 1)
            self.assertTrue(mention.nlp_retry_at)
            self.env["social_crm.mention"]._cron_analyze()
            texts = [text for call in analyze.call_args_list for text in call.args[0]]
            self.assertEqual(texts.count(mention.body), 1, "a failed mention waits before it is tried again")
        self.env.cr.execute(
            "UPDATE social_crm_mention SET nlp_retry_at = now() - interval '1 minute' WHERE id = %s", [mention.id]
        )
        self.env["social_crm.mention"].invalidate_model()
        with patch(ANALYZE, side_effect=scored("negative", "complaint")):
            self.assertEqual(self.env["social_crm.mention"]._cron_analyze(), 1)
        self.assertEqual(mention.nlp_state, "fast")
        self.assertEqual(mention.nlp_attempts, 0)
        self.assertTrue(mention.ticket_id)

    def test_state_says_fast_when_the_accurate_tier_fell_back(self):
        """The real models decide: with the accurate tier unavailable the cron's re-scoring falls back to the
        fast model and the mention says so; with it, a Thai mention is scored by the accurate tier."""
        english = self.ingest([self.make_item("at://jane/post/2", "I love it, thank you so much!")])
        self.assertEqual((english.nlp_state, english.nlp_model), ("fast", sentiment.FAST_NAME))
        with patch.dict(sentiment._cache, {"e5": None}), patch(ANALYZE, wraps=nlp.analyze) as analyze:
            self.env["social_crm.mention"]._cron_analyze()
            self.assertEqual(english.nlp_state, "fast", "scored by the fast model: never called accurate")
            self.assertEqual(english.nlp_model, sentiment.FAST_NAME)
            self.assertTrue(english.nlp_rescored)
            self.assertEqual(english.sentiment, "positive")
            self.env["social_crm.mention"]._cron_analyze()
        texts = [text for call in analyze.call_args_list for text in call.args[0]]
        self.assertEqual(texts.count(english.body), 1, "no better model: not re-scored again and again")
        sentiment.reset()
        thai = self.ingest(
            [self.make_item("at://somchai/post/3", "ดีมากครับ ประทับใจสุดๆ", author_id="did:plc:s", handle="s.test")]
        )
        self.env["social_crm.mention"]._cron_analyze()
        self.assertEqual((thai.nlp_state, thai.nlp_model), ("accurate", sentiment.ACCURATE_NAME))
        self.assertEqual(thai.lang, "th")

    def test_rescoring_to_negative_opens_a_ticket_and_to_positive_closes_none(self):
        with patch(ANALYZE, side_effect=scored("neutral", "other")):
            calm = self.ingest([self.make_item("at://jane/post/4", "the parcel is here I guess")])
            angry = self.ingest(
                [self.make_item("at://bob/post/5", "fix it", author_id="did:plc:bob", handle="bob.test")]
            )
        self.assertFalse(calm.ticket_id)
        with patch(ANALYZE, side_effect=scored("negative", "complaint")):
            self.env["social_crm.mention"]._cron_analyze()
        self.assertTrue(calm.ticket_id, "turned negative: now it needs a ticket")
        ticket = calm.ticket_id
        with patch(ANALYZE, side_effect=scored("positive", "praise", tier="accurate")):
            self.env["social_crm.mention"].search([("id", "in", (calm | angry).ids)]).write({"nlp_rescored": False})
            self.env["social_crm.mention"]._cron_analyze()
        self.assertEqual(calm.ticket_id, ticket)
        self.assertFalse(ticket.stage_id.closed, "a positive re-score never closes a ticket")

    def test_analysis_writes_a_batch_in_one_update(self):
        with patch(ANALYZE, side_effect=RuntimeError("down")), mute_logger(MENTION_LOGGER):
            mentions = self.ingest([self.make_item(f"at://jane/post/{i}", f"text {i}", minutes=i) for i in range(40)])
        mentions.invalidate_recordset()
        with patch(ANALYZE, side_effect=scored("neutral", "other")):
            self.env.flush_all()
            with self.assertQueryCount(__system__=10):
                mentions._analyze()
        self.assertEqual(set(mentions.mapped("nlp_state")), {"fast"})
