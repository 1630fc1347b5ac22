# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from .social_crm_account import NETWORKS
from .social_crm_partner_matcher import DEFAULT_THRESHOLD


class SocialCrmIdentity(models.Model):
    _name = "social_crm.identity"
    _description = "Social Identity"
    _order = "followers desc, id desc"
    _rec_names_search = ["name", "handle"]

    network = fields.Selection(NETWORKS, required=True, index=True)
    external_id = fields.Char(required=True, index=True)
    handle = fields.Char(index="trigram")
    name = fields.Char()
    profile_url = fields.Char(string="Profile")
    avatar_url = fields.Char(string="Avatar")
    bio = fields.Text()
    followers = fields.Integer(aggregator="max")
    partner_id = fields.Many2one(
        "res.partner", string="Contact", index="btree_not_null", ondelete="set null"
    )
    is_brand = fields.Boolean(
        string="Our own account", help="The brand itself: its posts are stored as outbound."
    )
    suggested_partner_id = fields.Many2one(
        "res.partner", string="Suggested contact", index="btree_not_null", ondelete="set null", readonly=True
    )
    match_confidence = fields.Float(digits=(3, 2), readonly=True)
    match_reason = fields.Selection(
        [
            ("handle", "Handle recorded on the contact"),
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
        string="Rejected contacts", help="Suggestions a user rejected: never suggested again.",
    )
    mention_ids = fields.One2many("social_crm.mention", "identity_id")
    mention_count = fields.Integer(compute="_compute_mention_count")
    last_mention_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "network_external_id_uniq",
            "unique(network, external_id)",
            "This identity already exists on this network.",
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

    def _match_partners(self):
        """Link identities to contacts, or suggest a contact below the confidence threshold."""
        identities = self.filtered(lambda i: not i.partner_id and not i.is_brand)
        if not identities:
            return
        threshold = float(
            self.env["ir.config_parameter"].sudo().get_param("social_crm.match_threshold", DEFAULT_THRESHOLD)
        )
        matches = self.env["social_crm.partner.matcher"]._match(identities)
        for identity, (partner, confidence, reason) in matches.items():
            if partner in identity.rejected_partner_ids:
                continue
            vals = {"match_confidence": confidence, "match_reason": reason}
            if confidence >= threshold:
                vals.update(partner_id=partner.id, suggested_partner_id=False)
            else:
                vals["suggested_partner_id"] = partner.id
            identity.sudo().write(vals)

    def action_confirm_suggestion(self):
        for identity in self.filtered("suggested_partner_id"):
            identity.write({
                "partner_id": identity.suggested_partner_id.id,
                "suggested_partner_id": False,
                "match_confidence": 1.0,
            })
        return True

    def action_reject_suggestion(self):
        for identity in self.filtered("suggested_partner_id"):
            identity.write({
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
    def _upsert_authors(self, network, authors):
        """Find or create identities for a batch of connector authors.

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
            [("network", "=", network), ("external_id", "in", list(by_id))],
            ["external_id", "handle", "name", "profile_url", "avatar_url", "bio", "followers"],
        )
        result = {identity.external_id: identity for identity in existing}
        for identity in existing:
            vals = self._enrichment_vals(by_id[identity.external_id], identity)
            if vals:
                identity.write(vals)
        to_create = [
            dict(self._enrichment_vals(author), network=network, external_id=ext_id)
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
