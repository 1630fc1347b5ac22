# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class CrmLead(models.Model):
    _inherit = "crm.lead"

    social_thread_id = fields.Many2one(
        "social_crm.thread",
        string="Social conversation",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        check_company=True,
    )
    social_thread_ids = fields.One2many("social_crm.thread", "lead_id", string="Social conversations")
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
    social_reply_ids = fields.One2many("social_crm.reply", "lead_id", string="Social replies")
    social_pending_reply_count = fields.Integer(
        string="Replies waiting for approval",
        compute="_compute_social_pending_reply_count",
        groups="social_crm.group_social_user",
    )

    @api.constrains("social_thread_id", "company_id")
    def _check_social_thread_company(self):
        """A lead shows its conversation's posts: never one of another company (read as superuser)."""
        for lead in self.sudo().filtered("social_thread_id"):
            if lead.company_id and lead.social_thread_id.company_id != lead.company_id:
                raise ValidationError(
                    _(
                        "Lead %(lead)s belongs to %(company)s; its social conversation must belong to the same "
                        "company.",
                        lead=lead.display_name,
                        company=lead.company_id.name,
                    )
                )

    def _compute_social_pending_reply_count(self):
        counts = self.env["social_crm.reply"]._count_to_approve("lead_id", self)
        for lead in self:
            lead.social_pending_reply_count = counts.get(lead, 0)

    def _check_social_thread(self):
        self.ensure_one()
        if not self.social_thread_id:
            raise UserError(_("This lead did not come from a social conversation."))

    def action_social_reply(self):
        """Open the reply composer for the lead's conversation: the same approval and privacy checks as tickets."""
        self._check_social_thread()
        action = self.social_thread_id.action_reply()
        action["context"] = dict(action["context"], default_lead_id=self.id)
        return action

    def action_social_open_post(self):
        self._check_social_thread()
        return self.social_thread_id.action_open_post()

    def action_social_open_thread(self):
        self._check_social_thread()
        return {
            "type": "ir.actions.act_window",
            "res_model": "social_crm.thread",
            "res_id": self.social_thread_id.id,
            "view_mode": "form",
        }

    def action_social_pending_replies(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Replies waiting for approval"),
            "res_model": "social_crm.reply",
            "view_mode": "list,form",
            "domain": [("lead_id", "=", self.id), ("state", "=", "to_approve")],
        }

    def _social_log_mentions(self, mentions):
        """A later message of the conversation, logged on its open lead (the followers are notified)."""
        lines = Markup("").join(
            Markup("<li><b>%s</b>: %s</li>") % (m.author_name or m.author_handle or "", m.body or "") for m in mentions
        )
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>") % (_("New in the social conversation:"), lines),
            author_id=mentions[:1].partner_id.id or None,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
