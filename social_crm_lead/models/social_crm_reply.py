# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class SocialCrmReply(models.Model):
    """A reply written from a lead: the same approval, privacy and posting flow; the lead's chatter is told."""

    _inherit = "social_crm.reply"

    lead_id = fields.Many2one("crm.lead", index="btree_not_null", ondelete="set null", check_company=True)

    @api.constrains("thread_id", "lead_id")
    def _check_lead_target(self):
        for reply in self.sudo().filtered("lead_id"):
            if reply.lead_id.social_thread_id != reply.thread_id and reply.thread_id.lead_id != reply.lead_id:
                raise ValidationError(_("A reply can only be filed on the lead of its own conversation."))

    def write(self, vals):
        if "lead_id" in vals and not self.env.su and self.filtered(lambda r: r.state in ("posting", "posted")):
            raise UserError(_("A reply that is posted, or being posted, cannot be changed."))
        return super().write(vals)

    def _social_lead(self):
        reply = self.sudo()  # the lead is logged on whoever writes the reply (a manager may have no sales rights)
        return reply.lead_id or reply.thread_id.lead_id

    def _log_on_ticket(self, text):
        result = super()._log_on_ticket(text)
        lead = self._social_lead()
        if lead:
            lead.message_post(body=text, subtype_xmlid="mail.mt_note")
        return result

    def _audit_posted(self, mention):
        result = super()._audit_posted(mention)
        lead = self._social_lead()
        if lead:
            lead.message_post(
                body=_(
                    "Reply posted on %(network)s by %(author)s: %(text)s",
                    network=self.account_id._network_label(),
                    author=self.author_id.name,
                    text=self.approved_body or self.body,
                ),
                author_id=self.author_id.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )
        return result
