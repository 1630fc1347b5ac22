# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models
from odoo.exceptions import AccessError


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _check_social_approval_rights(self):
        """Only managers settle a reply's approval request: the agent who wrote it cannot mark it done."""
        if self.env.su or self.env.user.has_group("social_crm.group_social_manager"):
            return
        approval = self.env.ref("social_crm.mail_activity_reply_approval", raise_if_not_found=False)
        if approval and approval in self.activity_type_id:
            raise AccessError(_("Only Social Managers can complete or cancel a reply's approval request."))
        post_approval = self.env.ref("social_crm.mail_activity_post_approval", raise_if_not_found=False)
        if post_approval and post_approval in self.activity_type_id:
            raise AccessError(_("Only Social Managers can complete or cancel a post's approval request."))

    def _action_done(self, feedback=False, attachment_ids=None):
        self._check_social_approval_rights()
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def unlink(self):
        self._check_social_approval_rights()
        return super().unlink()
