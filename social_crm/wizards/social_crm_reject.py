# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SocialCrmReject(models.AbstractModel):
    """A manager rejects texts waiting for approval with one reason, which their authors see.

    A wizard names the field holding the texts (``_rejected_field``); their model's ``action_reject``
    (``social_crm.approval.mixin``) does the rest.
    """

    _name = "social_crm.reject"
    _description = "Social CRM: reject texts waiting for approval"

    _rejected_field = ""

    reason = fields.Text(required=True)

    def action_reject(self):
        self[self._rejected_field].action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
