# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retention: mentions, and the raw webhook payloads they came from, kept only as long as the policy says."""

import threading
from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression

RETENTION_BATCH = 1000
PENDING_REPLY_STATES = ("draft", "to_approve", "posting")


class SocialCrmMention(models.Model):
    _inherit = "social_crm.mention"

    @api.model
    def _retention_cutoffs(self):
        """``{company: cutoff}`` of the companies that limit how long their social data is kept.

        0 days keeps nothing: every mention not needed by an open ticket goes at the next run.
        """
        now = fields.Datetime.now()
        companies = self.env["res.company"].sudo().search([("social_crm_retention_limited", "=", True)])
        return {company: now - timedelta(days=company._social_crm_retention_days()) for company in companies}

    @api.model
    def _retention_domain(self, cutoffs):
        """Mentions older than their company's period, not needed by an open ticket."""
        return expression.AND(
            [
                expression.OR(
                    [
                        [("company_id", "=", company.id), ("posted_at", "<", cutoff)]
                        for company, cutoff in cutoffs.items()
                    ]
                ),
                self._retention_kept_domain(),
            ]
        )

    @api.model
    def _retention_kept_domain(self):
        return [
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
    def _retention_events_domain(self, cutoffs):
        """Webhook deliveries already processed (stored or given up) before their company's cutoff: their raw
        payloads go."""
        return expression.AND(
            [
                [("state", "!=", "pending")],
                expression.OR(
                    [
                        [("company_id", "=", company.id), ("received_at", "<", cutoff)]
                        for company, cutoff in cutoffs.items()
                    ]
                ),
            ]
        )

    @api.model
    def _cron_apply_retention(self, batch_size=RETENTION_BATCH):
        """Delete one bounded batch of mentions older than their company's retention period; returns how many went.

        Mentions of tickets still open stay (with the rest of their conversation),
        so do mentions a reply in progress answers. Conversations left empty and
        identities left without mention or contact go too, and so does a bounded batch of
        processed webhook payloads older than the period. Commits per batch
        outside tests; reports progress so the scheduler runs the next batch.
        """
        cutoffs = self._retention_cutoffs()
        cron = self.env["ir.cron"]
        if not cutoffs:
            cron._notify_progress(done=0, remaining=0)
            return 0
        Event = self.env["social_crm.event"].sudo()
        events_domain = self._retention_events_domain(cutoffs)
        events = Event.search(events_domain, order="received_at, id", limit=batch_size)
        events.unlink()
        domain = self._retention_domain(cutoffs)
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
