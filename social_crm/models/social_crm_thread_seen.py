# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SocialCrmThreadSeen(models.Model):
    """When each user last opened each conversation: the inbox shows what the customer wrote since."""

    _name = "social_crm.thread.seen"
    _description = "Social Conversation: last opened by a user"
    _log_access = False

    thread_id = fields.Many2one("social_crm.thread", required=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", required=True, index=True, ondelete="cascade")
    seen_at = fields.Datetime(required=True)

    _sql_constraints = [
        ("thread_user_uniq", "unique(thread_id, user_id)", "A user opens a conversation once at a time."),
    ]

    def _mark(self, threads, user):
        """One upsert for the batch: now is the last time ``user`` opened ``threads``."""
        if not threads:
            return
        self.env.cr.execute(
            """
            INSERT INTO social_crm_thread_seen (thread_id, user_id, seen_at)
                 SELECT unnest(%s::int[]), %s, now() AT TIME ZONE 'UTC'
            ON CONFLICT (thread_id, user_id) DO UPDATE SET seen_at = EXCLUDED.seen_at
            """,
            [threads.ids, user.id],
        )
        self.invalidate_model(["seen_at"])
        threads.invalidate_recordset(["is_unread"])
