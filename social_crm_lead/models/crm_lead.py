# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "social_crm.thread.link.mixin"]
    _social_reply_field = "lead_id"

    social_thread_ids = fields.One2many("social_crm.thread", "lead_id", string="Social conversations")
    social_reply_ids = fields.One2many("social_crm.reply", "lead_id", string="Social replies")

    # --- social_crm.thread.link.mixin ---------------------------------------------------------------

    def _social_thread_company_ok(self):
        return not self.company_id or super()._social_thread_company_ok()

    def _social_thread_company_error(self):
        return _(
            "Lead %(lead)s belongs to %(company)s; its social conversation must belong to the same company.",
            lead=self.display_name,
            company=self.company_id.name,
        )

    def _social_no_thread_message(self):
        return _("This lead did not come from a social conversation.")

    def action_social_reply(self):
        """Open the reply composer for the lead's conversation: the same approval and privacy checks as tickets."""
        action = super().action_social_reply()
        action["context"] = dict(action["context"], default_lead_id=self.id)
        return action

    def action_social_open_thread(self):
        self._check_social_thread()
        return {
            "type": "ir.actions.act_window",
            "res_model": "social_crm.thread",
            "res_id": self.social_thread_id.id,
            "view_mode": "form",
        }
