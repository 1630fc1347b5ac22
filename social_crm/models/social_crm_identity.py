# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .social_crm_account import NETWORKS
from .social_crm_partner_matcher import DEFAULT_THRESHOLD, TRUSTED_REASONS, UNVERIFIED_NETWORKS

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
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company,
        help="The company whose account saw this identity.",
    )
    handle = fields.Char(index="trigram", readonly=True)
    name = fields.Char(readonly=True)
    profile_url = fields.Char(string="Profile", readonly=True)
    avatar_url = fields.Char(string="Avatar", readonly=True)
    bio = fields.Text(readonly=True)
    followers = fields.Integer(aggregator="max", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Contact", index="btree_not_null", ondelete="set null", readonly=True,
        check_company=True,
    )
    is_brand = fields.Boolean(
        string="Our own account", help="The brand itself: its posts are stored as outbound."
    )
    suggested_partner_id = fields.Many2one(
        "res.partner", string="Suggested contact", index="btree_not_null", ondelete="set null", readonly=True,
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
        "res.partner", "social_crm_identity_rejected_partner_rel", "identity_id", "partner_id",
        string="Rejected contacts", help="Suggestions a user rejected: never suggested again.", readonly=True,
    )
    mention_ids = fields.One2many("social_crm.mention", "identity_id")
    mention_count = fields.Integer(compute="_compute_mention_count")
    last_mention_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "network_external_id_uniq",
            "unique(network, external_id, company_id)",
            "This identity already exists on this network for this company.",
        ),
    ]

    @api.depends("name", "handle", "network")
    def _compute_display_name(self):
        labels = dict(NETWORKS)
        for identity in self:
            who = identity.name or identity.handle or identity.external_id
            if identity.handle and identity.name and identity.handle != identity.name:
                who = f"{identity.name} (@{identity.handle.lstrip('@')})"
            identity.display_name = f"{who} · {labels.get(identity.network, '')}"

    def _compute_mention_count(self):
        counts = dict(
            self.env["social_crm.mention"]._read_group(
                [("identity_id", "in", self.ids)], ["identity_id"], ["__count"]
            )
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
            raise AccessError(_(
                "%(fields)s of a social identity come from the network and cannot be changed by hand. "
                "Only Social Managers mark the brand's own accounts.",
                fields=", ".join(self._fields[name].string for name in sorted(refused) if name in self._fields),
            ))

    def _match_partners(self):
        """Link identities to contacts from evidence we control; everything else is only a suggestion.

        A handle or profile link an employee typed on the contact links when its
        confidence reaches the threshold setting. What strangers write (bio,
        name, e-mail, phone, website, a handle taken on another network) is
        never more than a suggestion, whatever the threshold.
        """
        identities = self.filtered(lambda i: not i.partner_id and not i.is_brand)
        if not identities:
            return
        threshold = self.env["social_crm.params"].get_float("social_crm.match_threshold", DEFAULT_THRESHOLD)
        matches = self.env["social_crm.partner.matcher"]._match(identities)
        for identity, (partner, confidence, reason) in matches.items():
            if partner in identity.rejected_partner_ids:
                continue
            vals = {"match_confidence": confidence, "match_reason": reason}
            trusted = reason in TRUSTED_REASONS and identity.network not in UNVERIFIED_NETWORKS
            if trusted and confidence >= threshold:
                vals.update(partner_id=partner.id, suggested_partner_id=False)
            else:
                vals["suggested_partner_id"] = partner.id
            identity.sudo().write(vals)

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
            raise UserError(_(
                "%(contact)s belongs to %(company)s; %(identity)s was seen by %(other)s.",
                contact=partner.display_name, company=partner.company_id.name,
                identity=identity.display_name, other=identity.company_id.name,
            ))

    def _link_to(self, partner):
        self._check_linkable(partner)
        self.sudo().write({
            "partner_id": partner.id,
            "suggested_partner_id": False,
            "match_confidence": 1.0,
            "match_reason": "manual",
        })

    def action_confirm_suggestion(self):
        for identity in self.filtered("suggested_partner_id"):
            partner = identity.suggested_partner_id
            identity._check_linkable(partner)
            identity.sudo().write({"partner_id": partner.id, "suggested_partner_id": False, "match_confidence": 1.0})
        return True

    def action_reject_suggestion(self):
        self._check_linkable()
        for identity in self.filtered("suggested_partner_id"):
            identity.sudo().write({
                "rejected_partner_ids": [(4, identity.suggested_partner_id.id)],
                "suggested_partner_id": False,
                "match_confidence": 0,
                "match_reason": False,
            })
        return True

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

    @api.model
    def _upsert_authors(self, network, authors, company):
        """Find or create ``company``'s identities for a batch of connector authors.

        One search for the whole batch, one create for the new ones; enrichment
        (avatar, bio, followers, profile URL) is refreshed only where it changed.
        Returns {external_id: identity}.
        """
        by_id = {}
        for author in authors:
            if author and author.external_id:
                by_id.setdefault(str(author.external_id), author)
        if not by_id:
            return {}
        existing = self.sudo().with_context(active_test=False).search_fetch(
            [("network", "=", network), ("external_id", "in", list(by_id)), ("company_id", "=", company.id)],
            ["external_id", "handle", "name", "profile_url", "avatar_url", "bio", "followers"],
        )
        result = {identity.external_id: identity for identity in existing}
        for identity in existing:
            vals = self._enrichment_vals(by_id[identity.external_id], identity)
            if vals:
                identity.write(vals)
        to_create = [
            dict(self._enrichment_vals(author), network=network, external_id=ext_id, company_id=company.id)
            for ext_id, author in by_id.items()
            if ext_id not in result
        ]
        if to_create:
            for identity in self.sudo().create(to_create):
                result[identity.external_id] = identity
        return result

    @api.model
    def _enrichment_vals(self, author, identity=None):
        fresh = {
            "handle": author.handle or False,
            "name": author.name or False,
            "profile_url": author.profile_url or False,
            "avatar_url": author.avatar_url or False,
            "bio": author.bio or False,
            "followers": author.followers,
        }
        if identity is None:
            fresh["followers"] = fresh["followers"] or 0
            return fresh
        # A network that omits a value keeps what we knew rather than blanking it.
        return {
            key: value
            for key, value in fresh.items()
            if value not in (False, None) and value != identity[key]
        }
