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
        """A user without an e-mail address still submits a reply: the workflow's messages keep the user as
        author and go out from the company's address."""
        author_id, email_from = super()._message_compute_author(
            author_id=author_id, email_from=email_from, raise_on_email=False
        )
        if not email_from:
            email_from = (self[:1].company_id or self.env.company).email_formatted or (
                self.env.ref("base.partner_root").email_formatted
            )
        return author_id, email_from
