# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retention: mentions, and the raw webhook payloads they came from, kept only as long as the policy says."""

import threading
from datetime import timedelta

from odoo import api, fields, models

from .selections import RETENTION_PARAM

RETENTION_BATCH = 1000
PENDING_REPLY_STATES = ("draft", "to_approve", "posting")


class SocialCrmMention(models.Model):
    _inherit = "social_crm.mention"

    @api.model
    def _retention_days(self):
        """Days mentions are kept, or None to keep them forever (parameter empty, absent or not a number).

        0 keeps nothing: every mention not needed by an open ticket goes at the next run.
        """
        value = (self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM) or "").strip()
        try:
            days = int(value)
        except ValueError:
            return None
        return max(days, 0)

    @api.model
    def _retention_domain(self, cutoff):
        return [
            ("posted_at", "<", cutoff),
            "|",
            ("ticket_id", "=", False),
            ("ticket_id.stage_id.closed", "=", True),
            "|",
            ("thread_id", "=", False),
            "|",
            ("thread_id.ticket_id", "=", False),
            ("thread_id.ticket_id.stage_id.closed", "=", True),
        ]

    @api.model
    def _retention_events_domain(self, cutoff):
        """Webhook deliveries already processed (stored or given up) before the cutoff: their raw payloads go."""
        return [("state", "!=", "pending"), ("received_at", "<", cutoff)]

    @api.model
    def _cron_apply_retention(self, batch_size=RETENTION_BATCH):
        """Delete one bounded batch of mentions older than the retention period; returns how many went.

        Mentions of tickets still open stay (with the rest of their conversation),
        so do mentions a reply in progress answers. Conversations left empty and
        identities left without mention or contact go too, and so does a bounded batch of
        processed webhook payloads older than the period. Commits per batch
        outside tests; reports progress so the scheduler runs the next batch.
        """
        days = self._retention_days()
        cron = self.env["ir.cron"]
        if days is None:
            cron._notify_progress(done=0, remaining=0)
            return 0
        cutoff = fields.Datetime.now() - timedelta(days=days)
        Event = self.env["social_crm.event"].sudo()
        events_domain = self._retention_events_domain(cutoff)
        events = Event.search(events_domain, order="received_at, id", limit=batch_size)
        events.unlink()
        domain = self._retention_domain(cutoff)
        Mention = self.sudo().with_context(active_test=False)
        batch = Mention.search(domain, order="posted_at, id", limit=batch_size)
        answered = (
            self.env["social_crm.reply"]
            .sudo()
            .search([("parent_mention_id", "in", batch.ids), ("state", "in", PENDING_REPLY_STATES)])
            .parent_mention_id
        )
        batch -= answered
        count = len(batch)
        if batch:
            threads, identities = batch.thread_id, batch.identity_id
            batch.unlink()
            Thread = self.env["social_crm.thread"].sudo()
            Thread.search([("id", "in", threads.ids), ("mention_ids", "=", False)]).unlink()
            threads.exists()._refresh_stats()
            self.env["social_crm.identity"].sudo().search(
                [
                    ("id", "in", identities.ids),
                    ("mention_ids", "=", False),
                    ("partner_id", "=", False),
                    ("is_brand", "=", False),
                ]
            ).unlink()
        if not batch and not events:
            cron._notify_progress(done=0, remaining=0)
            return 0
        remaining = Mention.search_count(domain + [("id", "not in", answered.ids)]) if batch else 0
        remaining += Event.search_count(events_domain) if events else 0
        if not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit
        cron._notify_progress(done=count + len(events), remaining=remaining)
        return count
