# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .selections import APPROVAL_POLICIES


class ResCompany(models.Model):
    _inherit = "res.company"

    # The accounts' default (``social_crm.account.reply_policy``/``post_policy`` = "company").
    social_reply_policy = fields.Selection(
        APPROVAL_POLICIES,
        string="Replies",
        default="public",
        required=True,
        help="When an agent's reply waits for a Social Manager's approval, unless the account says otherwise. "
        "Approval when public: answers to private messages are sent at once.",
    )
    social_post_policy = fields.Selection(
        APPROVAL_POLICIES,
        string="Posts",
        default="public",
        required=True,
        help="When an agent's post waits for a Social Manager's approval, unless the account says otherwise "
        "(posts are public: approval when public is always).",
    )
