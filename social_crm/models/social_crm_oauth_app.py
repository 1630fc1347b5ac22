# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..connectors import errors as api_errors
from ..connectors import netguard
from ..connectors.oauth import PROFILES, get_profile

CALLBACK_PATH = "/social_crm/oauth/callback"
OAUTH_NETWORKS = [
    ("x", "X"),
    ("youtube", "YouTube (Google)"),
    ("linkedin", "LinkedIn"),
    ("facebook", "Facebook Pages"),
    ("instagram", "Instagram (Instagram Login)"),
    ("reddit", "Reddit"),
    ("mastodon", "Mastodon"),
    ("tiktok", "TikTok (API for Business)"),
    ("threads", "Threads"),
]


class SocialCrmOauthApp(models.Model):
    """The company's own app registration on a network (a self-hosted Odoo has no vendor relay)."""

    _name = "social_crm.oauth.app"
    _description = "Social OAuth App"
    _order = "network, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    network = fields.Selection(OAUTH_NETWORKS, required=True, index=True)
    client_id = fields.Char(
        string="Client ID", help="The app's client id (X: OAuth 2.0 Client ID; Google: the OAuth client id)."
    )
    client_secret = fields.Char(
        groups="base.group_system",
        copy=False,
        help="The app's client secret. Only system administrators can read it.",
    )
    has_client_secret = fields.Boolean(compute="_compute_has_client_secret", compute_sudo=True)
    authorize_url = fields.Char(
        string="Authorization URL",
        help="The provider's consent page; defaults to the vendor's (change it only for a private instance).",
    )
    token_url = fields.Char(string="Token URL", help="The provider's token endpoint; defaults to the vendor's.")
    instance_url = fields.Char(
        help="Mastodon: the instance this registration belongs to (made on the first Connect; no console step)."
    )
    company_id = fields.Many2one(
        "res.company", index=True, default=lambda self: self.env.company, help="Empty: every company uses it."
    )
    redirect_uri = fields.Char(
        string="Redirect URI",
        compute="_compute_redirect_uri",
        help="Paste this address in the network's developer console as the redirect (callback) URL.",
    )
    scopes = fields.Char(compute="_compute_scopes", help="The scopes to enable for the app in the network's console.")
    console_url = fields.Char(string="Developer console", compute="_compute_scopes")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "network_company_instance_uniq",
            "unique(network, company_id, instance_url)",
            "This company already has an app registration for this network.",
        ),
    ]

    @api.depends("network", "instance_url")
    def _compute_name(self):
        labels = dict(OAUTH_NETWORKS)
        for app in self:
            app.name = " ".join(filter(None, [labels.get(app.network, app.network or ""), app.instance_url or ""]))

    def _compute_has_client_secret(self):
        for app in self:
            app.has_client_secret = bool(app.client_secret)

    def _compute_redirect_uri(self):
        uri = self._callback_url()
        for app in self:
            app.redirect_uri = uri

    @api.depends("network")
    def _compute_scopes(self):
        for app in self:
            profile = PROFILES.get(app.network)
            app.scopes = profile.scope_separator.join(profile.scopes) if profile else False
            app.console_url = profile.console if profile else False

    @api.model
    def _callback_url(self):
        base = (self.env["ir.config_parameter"].sudo().get_param("web.base.url") or "").rstrip("/")
        return base + CALLBACK_PATH

    @api.onchange("network")
    def _onchange_network(self):
        if self.network and self.network != "mastodon":
            profile = get_profile(self.network)
            self.authorize_url, self.token_url = profile.authorize_url, profile.token_url

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            network = vals.get("network")
            if network in PROFILES and network != "mastodon":
                vals.setdefault("authorize_url", PROFILES[network].authorize_url)
                vals.setdefault("token_url", PROFILES[network].token_url)
        return super().create(vals_list)

    @api.constrains("authorize_url", "token_url", "instance_url")
    def _check_urls(self):
        allowed = self.env["social_crm.account"]._allowed_hosts()
        for app in self:
            for url in filter(None, (app.authorize_url, app.token_url, app.instance_url)):
                try:
                    netguard.check_url(url.strip(), allowed_hosts=allowed, resolve=False)
                except (api_errors.SocialApiError, ValueError) as exc:
                    raise ValidationError(
                        self.env._("%(url)s cannot be used: %(reason)s", url=url, reason=exc)
                    ) from exc
