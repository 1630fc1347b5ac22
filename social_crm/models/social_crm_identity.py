# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.access import checked_sudo
from .selections import NETWORKS

# What a person may change on an identity, and who; everything else comes from the network.
LINK_FIELDS = {"partner_id", "suggested_partner_id", "match_confidence", "match_reason", "rejected_partner_ids"}
MANAGER_FIELDS = {"is_brand"}


class SocialCrmIdentity(models.Model):
    """A person or organisation on a network, as one company saw them.

    Each company has its own identities (unique per network, id and
    company): one company's links, suggestions and "our own account" flags
    never reach another. Users read them and link them to contacts through
    the actions below; only managers mark the brand's own accounts; the
    network data is written by the ingestion alone.
    """

    _name = "social_crm.identity"
    _description = "Social Identity"
    _order = "followers desc, id desc"
    _rec_names_search = ["name", "handle"]
    _check_company_auto = True

    network = fields.Selection(NETWORKS, required=True, index=True, readonly=True)
    external_id = fields.Char(required=True, index=True, readonly=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
        help="The company whose account saw this identity.",
    )
    visibility = fields.Selection(
        [("public", "Public"), ("private", "Private messages only")],
        required=True,
        default="private",
        index=True,
        readonly=True,
        help="Public once the person wrote in public. Someone known only from private messages (a LINE or WhatsApp "
        "name, a phone number) is for those who read private messages.",
    )
    handle = fields.Char(index="trigram", readonly=True)
    name = fields.Char(readonly=True)
    profile_url = fields.Char(string="Profile", readonly=True)
    avatar_url = fields.Char(string="Avatar", readonly=True)
    bio = fields.Text(readonly=True)
    followers = fields.Integer(aggregator="max", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        check_company=True,
    )
    is_brand = fields.Boolean(string="Our own account", help="The brand itself: its posts are stored as outbound.")
    suggested_partner_id = fields.Many2one(
        "res.partner",
        string="Suggested contact",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        check_company=True,
    )
    match_confidence = fields.Float(digits=(3, 2), readonly=True)
    match_reason = fields.Selection(
        [
            ("handle", "Handle recorded on the contact"),
            ("linked_handle", "Same handle linked to a contact on another network"),
            ("email", "Email in the profile"),
            ("phone", "Phone in the profile"),
            ("name_domain", "Same name and company domain"),
            ("website", "Website of a company"),
            ("name", "Same name"),
            ("manual", "Linked by hand"),
        ],
        readonly=True,
    )
    rejected_partner_ids = fields.Many2many(
        "res.partner",
        "social_crm_identity_rejected_partner_rel",
        "identity_id",
        "partner_id",
        string="Rejected contacts",
        help="Suggestions a user rejected: never suggested again.",
        readonly=True,
    )
    mention_ids = fields.One2many("social_crm.mention", "identity_id")
    mention_count = fields.Integer(compute="_compute_mention_count")
    last_mention_at = fields.Datetime(readonly=True)
    erased_at = fields.Datetime(string="Erased on", readonly=True, copy=False)
    erased_by_id = fields.Many2one("res.users", string="Erased by", readonly=True, copy=False)

    _sql_constraints = [
        (
            "network_external_id_uniq",
            "unique(network, external_id, company_id)",
            "This identity already exists on this network for this company.",
        ),
    ]

    @api.depends("name", "handle", "network", "erased_at")
    def _compute_display_name(self):
        labels = dict(NETWORKS)
        for identity in self:
            who = identity.name or identity.handle or identity.external_id
            if identity.handle and identity.name and identity.handle != identity.name:
                who = f"{identity.name} (@{identity.handle.lstrip('@')})"
            identity.display_name = f"{who} · {labels.get(identity.network, '')}"
            if identity.erased_at:
                identity.display_name = self.env._("[erased on request]")

    def _compute_mention_count(self):
        counts = dict(
            self.env["social_crm.mention"]._read_group([("identity_id", "in", self.ids)], ["identity_id"], ["__count"])
        )
        for identity in self:
            identity.mention_count = counts.get(identity, 0)

    def write(self, vals):
        if not self.env.su:
            self._check_writable_fields(vals)
        return super().write(vals)

    def _check_writable_fields(self, vals):
        allowed = MANAGER_FIELDS if self.env.user.has_group("social_crm.group_social_manager") else set()
        refused = set(vals) - allowed
        if refused & LINK_FIELDS:
            raise AccessError(_("Link identities to contacts with “Link to a contact” or by answering a suggestion."))
        if refused:
            raise AccessError(
                _(
                    "%(fields)s of a social identity come from the network and cannot be changed by hand. "
                    "Only Social Managers mark the brand's own accounts.",
                    fields=", ".join(self._fields[name].string for name in sorted(refused) if name in self._fields),
                )
            )

    # ------------------------------------------------------------------
    # LINKING BY HAND: rights checked here, written as superuser after the checks
    # ------------------------------------------------------------------

    def _check_linkable(self, partner=None):
        """Social users link the identities of their companies to contacts they may read."""
        if not self.env.user.has_group("social_crm.group_social_user"):
            raise AccessError(_("Only Social CRM users link social identities to contacts."))
        self.check_access("read")
        if not partner:
            return
        partner.check_access("read")
        for identity in self.filtered(lambda i: partner.company_id and partner.company_id != i.company_id):
            raise UserError(
                _(
                    "%(contact)s belongs to %(company)s; %(identity)s was seen by %(other)s.",
                    contact=partner.display_name,
                    company=partner.company_id.name,
                    identity=identity.display_name,
                    other=identity.company_id.name,
                )
            )

    def _link_to(self, partner):
        self._check_linkable(partner)
        checked_sudo(self, "read").write(
            {
                "partner_id": partner.id,
                "suggested_partner_id": False,
                "match_confidence": 1.0,
                "match_reason": "manual",
            }
        )

    def action_confirm_suggestion(self):
        for identity in self.filtered("suggested_partner_id"):
            partner = identity.suggested_partner_id
            identity._check_linkable(partner)
            checked_sudo(identity, "read").write(
                {"partner_id": partner.id, "suggested_partner_id": False, "match_confidence": 1.0}
            )
        return True

    def action_reject_suggestion(self):
        self._check_linkable()
        self._reject_partner("suggested_partner_id")
        return True

    def action_unlink_contact(self):
        """Detach the identity from its contact; the identity and its mentions stay (a contact's form never
        deletes them). The contact is remembered as rejected, so automatic matching does not link it back."""
        self._check_linkable()
        self._reject_partner("partner_id")
        return True

    def _reject_partner(self, field):
        """Drop the contact of ``field`` (linked or suggested) and remember it as rejected (checked: linkable)."""
        for identity in checked_sudo(self, "read").filtered(field):
            identity.write(
                {
                    "rejected_partner_ids": [(4, identity[field].id)],
                    field: False,
                    "match_confidence": 0,
                    "match_reason": False,
                }
            )

    def action_open_link_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Link to a contact"),
            "res_model": "social_crm.identity.link",
            "view_mode": "form",
            "target": "new",
            "context": {"default_identity_ids": self.ids},
        }

    def action_view_mentions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("social_crm.social_crm_mention_action")
        action["domain"] = [("identity_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # PERSONAL DATA: thin entry points of the social_crm.privacy service
    # ------------------------------------------------------------------

    def _check_privacy_manager(self):
        self.env["social_crm.privacy"]._check_manager()

    def action_open_erase_wizard(self):
        self._check_privacy_manager()
        checked_sudo(self, "write")
        return {
            "type": "ir.actions.act_window",
            "name": _("Erase personal data"),
            "res_model": "social_crm.erase.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_identity_ids": self.ids},
        }

    def action_erase(self):
        """Erase these people's social data; tickets and counts stay, their text becomes a placeholder.

        Social Managers, on identities they may change (their companies'). Idempotent: identities already
        erased are left as they are. Returns the number of identities erased.
        """
        self._check_privacy_manager()
        return self.env["social_crm.privacy"]._erase(checked_sudo(self, "write"))

    def action_export_social_data(self):
        """A zip with a JSON file and one CSV per kind of record: the person's identities, posts, conversations
        and the replies they received (other participants' posts without what identifies them)."""
        self._check_privacy_manager()
        return self.env["social_crm.privacy"]._export(checked_sudo(self, "read"), None, self[:1])
