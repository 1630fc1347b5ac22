# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Meta's data-deletion callback: a person asks Meta to delete their data, Meta tells us, we erase them.

The route (controllers/data_deletion.py) checks Meta's signature; this model
erases the identity and keeps a status anyone holding the confirmation code
can read (no personal data in it).
"""

import secrets

from odoo import api, fields, models
from odoo.tools import SQL

META_NETWORKS = ("facebook", "instagram")


class SocialCrmDeletionRequest(models.Model):
    _name = "social_crm.deletion.request"
    _description = "Data deletion request from a network"
    _order = "id desc"
    _rec_name = "code"

    code = fields.Char(string="Confirmation code", required=True, readonly=True, index=True, copy=False)
    account_id = fields.Many2one("social_crm.account", readonly=True, index=True, ondelete="set null")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    network = fields.Selection(related="account_id.network")
    state = fields.Selection(
        [("erased", "Erased"), ("nothing", "No data held")],
        required=True,
        readonly=True,
        help="Erased: the person's social data was erased. No data held: nothing about them was stored.",
    )
    identity_count = fields.Integer(string="Identities erased", readonly=True)
    request_digest = fields.Char(
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="SHA-256 of the signed request: the same request is answered again, never acted on twice.",
    )

    _sql_constraints = [
        ("code_uniq", "unique(code)", "A confirmation code is used once."),
        ("request_digest_uniq", "unique(request_digest)", "A signed request is acted on once."),
    ]

    @api.model
    def _meta_erase(self, account, user_id):
        """Erase the identity of ``user_id`` (app-scoped id) on the account's network and company; the request.

        Idempotent: an identity already erased is found again by its hashed id and reported erased.
        """
        Identity = self.env["social_crm.identity"].sudo()
        hashed = self.env["social_crm.mention"]._privacy_hash(account.network, user_id)
        identities = Identity.search(
            [
                ("network", "=", account.network),
                ("company_id", "=", account.company_id.id),
                ("external_id", "in", [user_id, hashed]),
            ]
        )
        identities._privacy_erase(requested_by=self.env._("requested by Meta data-deletion callback"))
        return self.sudo().create(
            {
                "code": secrets.token_hex(10),
                "account_id": account.id,
                "company_id": account.company_id.id,
                "state": "erased" if identities else "nothing",
                "identity_count": len(identities),
            }
        )

    def _status_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}/social_crm/meta/deletion_status/{self.code}"


class SocialCrmAccount(models.Model):
    _inherit = "social_crm.account"

    deletion_key = fields.Char(
        groups="base.group_system",
        copy=False,
        readonly=True,
        help="Random part of this account's data-deletion callback address.",
    )
    meta_deletion_url = fields.Char(
        string="Data deletion callback URL",
        compute="_compute_meta_deletion_url",
        groups="base.group_system",
        help="Paste it in the Meta App Dashboard: App settings > Basic > User data deletion > Data deletion "
        "callback URL. Meta signs each request with the app secret saved as this account's Secret.",
    )

    _sql_constraints = [("deletion_key_uniq", "unique(deletion_key)", "A deletion key is used by one account.")]

    def _auto_init(self):
        res = super()._auto_init()
        # Every account gets its own key, also those created before the field existed.
        self.env.cr.execute(
            SQL(
                "UPDATE social_crm_account SET deletion_key = md5(random()::text || id::text || clock_timestamp()::text)"
                " WHERE deletion_key IS NULL"
            )
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.setdefault("deletion_key", secrets.token_urlsafe(24))
        return super().create(vals_list)

    @api.depends("network", "deletion_key")
    def _compute_meta_deletion_url(self):
        for account in self:
            account.meta_deletion_url = (
                f"{account.get_base_url()}/social_crm/meta/data_deletion/{account.deletion_key}"
                if account.network in META_NETWORKS and account.deletion_key
                else False
            )
