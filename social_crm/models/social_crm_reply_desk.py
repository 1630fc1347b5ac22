# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class SocialCrmReply(models.Model):
    """The reply as the social inbox uses it: send, then go on to the next conversation."""

    _inherit = "social_crm.reply"

    def action_submit_and_next(self):
        """Send (or submit for approval), then open the next conversation of the user's inbox."""
        action = self.action_submit()
        following = self.thread_id._inbox_next_action()
        if action.get("tag") == "display_notification":
            action["params"]["next"] = following
            return action
        return following

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        """The workflow's notes on a reply need no sender address: a user without an e-mail address still
        submits a reply (the messages then go out from the company's default address)."""
        return super()._message_compute_author(author_id=author_id, email_from=email_from, raise_on_email=False)
