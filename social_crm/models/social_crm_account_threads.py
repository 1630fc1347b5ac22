# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Threads accounts: what a fetch left out on purpose is said on the account."""

from odoo import fields, models


class SocialCrmAccount(models.Model):
    _inherit = "social_crm.account"

    def _fetch_notice(self, client):
        """The account's message after a successful fetch (False: nothing to say)."""
        spent = getattr(client, "search_quota_spent", None)
        if self.network != "threads" or not spent:
            return False
        quota, resume = spent
        return self.env._(
            "The Threads keyword search quota is spent (%(quota)s searches in 24 hours): keywords are searched "
            "again from %(time)s; mentions and replies to the brand's posts are still read.",
            quota=quota,
            time=fields.Datetime.to_string(resume.replace(tzinfo=None)),
        )
