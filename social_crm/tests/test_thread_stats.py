# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Conversation statistics are true at all times: counts, sentiment an agent needs, response times."""

from types import SimpleNamespace
from unittest.mock import patch

from odoo.tests import tagged

from .common import SocialCrmCommon

ANALYZE = "odoo.addons.social_crm.nlp.analyze"
SCORES = {"negative": -0.9, "neutral": 0.0, "positive": 0.8}


def by_word(texts, accurate=False, **_options):
    """A stand-in model: the first word of each test text is its sentiment."""
    results = []
    for text in texts:
        sentiment = text.split()[0] if text.split() and text.split()[0] in SCORES else "neutral"
        results.append(
            SimpleNamespace(
                lang="en",
                sentiment=sentiment,
                sentiment_score=SCORES[sentiment],
                intent="other",
                tier="accurate" if accurate else "fast",
                model="test",
            )
        )
    return results


@tagged("social_crm", "social_crm_relate", "post_install", "-at_install")
class TestThreadStats(SocialCrmCommon):
    def ingest(self, items, account=None):
        with patch(ANALYZE, side_effect=by_word):
            return super().ingest(items, account)

    def conversation(self, root, *messages):
        """messages: (minutes, text, own) in order; returns the thread."""
        items = [
            self.make_item(
                f"at://{root}/post/{i}",
                text,
                root_id=f"at://{root}/post/0",
                parent_id=None if i == 0 else f"at://{root}/post/{i - 1}",
                minutes=minutes,
                author_id="did:plc:acme" if own else "did:plc:jane",
                handle="acme.test" if own else "jane.test",
                is_own=own,
            )
            for i, (minutes, text, own) in enumerate(messages)
        ]
        return self.ingest(items)[:1].thread_id

    def test_an_angry_conversation_stays_negative_until_answered(self):
        thread = self.conversation(
            "angry", (0, "negative my order is late again", False), (5, "neutral order 4411", False)
        )
        self.assertEqual(thread.sentiment, "negative", "the last message is neutral, the conversation is not")
        self.ingest(
            [
                self.make_item(
                    "at://angry/post/2",
                    "positive sorry, it ships today",
                    root_id="at://angry/post/0",
                    minutes=30,
                    author_id="did:plc:acme",
                    handle="acme.test",
                    is_own=True,
                ),
                self.make_item("at://angry/post/3", "neutral ok", root_id="at://angry/post/0", minutes=40),
            ]
        )
        self.assertEqual(thread.sentiment, "neutral", "what was answered no longer colours it")

    def test_unanswered_conversations_do_not_pull_the_average_down(self):
        answered = self.conversation("answered", (0, "neutral where is it", False), (120, "neutral here", True))
        waiting = self.conversation("waiting", (0, "neutral hello?", False))
        self.assertAlmostEqual(answered.first_response_hours, 2.0)
        self.assertEqual(waiting.state, "new")
        groups = self.env["social_crm.thread"]._read_group(
            [("id", "in", (answered | waiting).ids)], [], ["first_response_hours:avg", "__count"]
        )
        self.assertAlmostEqual(groups[0][0], 2.0, msg="an unanswered conversation is not a 0-hour answer")
        self.assertEqual(groups[0][1], 2)

    def test_deleting_a_mention_keeps_the_counts_true(self):
        thread = self.conversation("delete", (0, "negative broken", False), (5, "neutral hello", False))
        self.assertEqual(thread.mention_count, 2)
        thread.mention_ids.filtered(lambda m: "broken" in m.body).unlink()
        self.assertEqual(thread.mention_count, 1)
        self.assertEqual(thread.sentiment, "neutral")
