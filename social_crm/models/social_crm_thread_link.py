# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class SocialCrmThreadLinkMixin(models.AbstractModel):
    """A record opened from a social conversation (helpdesk tickets, CRM leads): the conversation, how to
    answer it, the replies waiting for approval and the later messages logged on it.

    A model sets ``_social_reply_field`` (its field on ``social_crm.reply``) and implements
    ``_social_no_thread_message()`` and ``_social_thread_company_error()``.
    """

    _name = "social_crm.thread.link.mixin"
    _description = "Social CRM: a record opened from a social conversation"

    _social_reply_field = ""

    social_thread_id = fields.Many2one(
        "social_crm.thread",
        string="Social conversation",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        check_company=True,
    )
    social_network = fields.Selection(related="social_thread_id.network", string="Network")
    social_account_id = fields.Many2one(related="social_thread_id.account_id", string="Social account")
    social_url = fields.Char(related="social_thread_id.url", string="Link to the post")
    # Read with the user's rights (a related field is computed as superuser by default).
    social_chat_html = fields.Html(
        related="social_thread_id.conversation_html",
        string="Conversation as a chat",
        compute_sudo=False,
        groups="social_crm.group_social_user",
    )
    social_can_reply = fields.Boolean(related="social_thread_id.can_reply", string="Network takes replies")
    social_account_state = fields.Selection(related="social_thread_id.account_id.state", string="Account status")
    social_pending_reply_count = fields.Integer(
        string="Replies waiting for approval",
        compute="_compute_social_pending_reply_count",
        groups="social_crm.group_social_user",
    )

    @api.constrains("social_thread_id", "company_id")
    def _check_social_thread_company(self):
        """A record shows its conversation's posts: never one of another company (read as superuser)."""
        for record in self.sudo().filtered("social_thread_id"):
            if not record._social_thread_company_ok():
                raise ValidationError(record._social_thread_company_error())

    def _social_thread_company_ok(self):
        return self.social_thread_id.company_id == self.company_id

    def _social_thread_company_error(self):
        raise NotImplementedError

    def _social_no_thread_message(self):
        raise NotImplementedError

    def _compute_social_pending_reply_count(self):
        counts = self.env["social_crm.reply"]._count_to_approve(self._social_reply_field, self)
        for record in self:
            record.social_pending_reply_count = counts.get(record, 0)

    def _check_social_thread(self):
        self.ensure_one()
        if not self.social_thread_id:
            raise UserError(self._social_no_thread_message())

    def action_social_reply(self):
        """Open the reply composer for the record's social conversation."""
        self._check_social_thread()
        return self.social_thread_id.action_reply()

    def action_social_open_post(self):
        self._check_social_thread()
        return self.social_thread_id.action_open_post()

    def action_social_pending_replies(self):
        self.ensure_one()
        return self.env["social_crm.reply"]._action_to_approve(self._social_reply_field, self)

    def _social_log_mentions(self, mentions):
        """A later message of the conversation, logged on its record."""
        lines = Markup("").join(
            Markup("<li><b>%s</b>: %s</li>") % (m.author_name or m.author_handle or "", m.body or "") for m in mentions
        )
        # A comment, not a note: the record's followers are notified that the customer wrote again.
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>") % (_("New in the social conversation:"), lines),
            author_id=mentions[:1].partner_id.id or None,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
