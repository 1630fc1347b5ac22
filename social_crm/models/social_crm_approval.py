# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models
from odoo.exceptions import AccessError

from ..tools.private_data import find_private_data


class SocialCrmApprovalMixin(models.AbstractModel):
    """What a text that a manager approves before it goes out shares: fields only the workflow sets, the
    privacy guard, and the approval requests that only managers settle (see ``mail_activity.py``).

    A model sets ``_workflow_fields`` (written under sudo by the workflow only) and ``_content_fields``
    (changing one after submission sends the record back to draft: what was approved is what is posted).
    """

    _name = "social_crm.approval.mixin"
    _description = "Social CRM: manager approval of outgoing texts"

    _workflow_fields = frozenset()
    _content_fields = frozenset()

    def _check_workflow_fields(self, vals, allowed=lambda name, value: False):
        """Users never set workflow fields (``allowed`` lets harmless values through at create)."""
        if self.env.su:
            return
        forced = sorted(name for name in self._workflow_fields & set(vals) if not allowed(name, vals[name]))
        if forced:
            raise AccessError(_("These fields are set by the approval workflow: %(fields)s", fields=", ".join(forced)))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_workflow_fields(
                vals,
                allowed=lambda name, value: (
                    not value
                    or (name == "state" and value == "draft")
                    or (name == "author_id" and value == self.env.uid)
                ),
            )
        return super().create(vals_list)

    def _is_publisher(self):
        return self.env.user.has_group("social_crm.group_social_manager")

    def _check_publisher(self, message):
        """``message``: the whole translated sentence shown to a user who is not a Social Manager."""
        if not self.env.su and not self._is_publisher():
            raise AccessError(message)

    @api.model
    def _private_data_found(self, text):
        """The kinds of private data (in words) that ``text`` seems to contain."""
        labels = {"email": _("email address"), "phone": _("phone number"), "card": _("card or account number")}
        own = (self[:1].company_id or self.env.company)._social_own_contact_data()
        return [labels[kind] for kind in find_private_data(text, allowed=own)]

    def _approval_managers(self):
        self.ensure_one()
        return self.env.ref("social_crm.group_social_manager").users.filtered(
            lambda user: self.company_id in user.company_ids and not user.share
        )
