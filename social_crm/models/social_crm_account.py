# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import secrets
import threading
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..connectors import CLIENTS, DEFAULT_BASE_URLS, get_client, netguard
from ..connectors import errors as api_errors
from .selections import APPROVAL_POLICIES, NETWORKS

ACCOUNT_POLICIES = [("company", "Company default"), *APPROVAL_POLICIES]

_logger = logging.getLogger(__name__)

# Advisory-lock namespace for "an account is being fetched" (any constant int4).
FETCH_LOCK_NAMESPACE = 0x5C0C1A1
CRON_ACCOUNTS_PER_RUN = 10
# Credentials are bound to where they were entered: changing one of these clears them.
CREDENTIAL_BINDING_FIELDS = ("base_url", "network", "login")
SECRET_FIELDS = ("token", "secret", "refresh_token")
# Random keys that make an address unguessable: drawn with ``secrets`` by the module, never typed in.
DRAWN_KEY_FIELDS = ("webhook_key",)
# Scheduled actions that have work only while an account listens (as mail's fetchmail cron).
LISTENING_CRONS = (
    "social_crm.ir_cron_fetch_mentions",
    "social_crm.ir_cron_analyze_mentions",
    "social_crm.ir_cron_detect_spikes",
)


class SocialCrmAccount(models.Model):
    _name = "social_crm.account"
    _description = "Social Account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    network = fields.Selection(NETWORKS, required=True, tracking=True, index=True)
    base_url = fields.Char(
        string="Service URL",
        tracking=True,
        help="API or instance URL. Leave empty for the network's public service. "
        "For a feed, the URL of the RSS or Atom feed. Changing it removes the saved credentials.",
    )
    login = fields.Char(
        help="Handle, user name or page/channel id, as the network needs it (for Reddit: the app's "
        "client id and the user name). Changing it removes the saved credentials.",
        tracking=True,
    )
    token = fields.Char(
        string="Access token",
        groups="base.group_system",
        copy=False,
        help="Password, app password or access token. Only system administrators can read it.",
    )
    secret = fields.Char(
        groups="base.group_system",
        copy=False,
        help="The second secret a network needs: client secret (Reddit), app secret (Meta), channel secret "
        "(LINE), webhook secret token (Telegram). Only system administrators can read it.",
    )
    has_token = fields.Boolean(compute="_compute_has_token", compute_sudo=True)
    has_secret = fields.Boolean(compute="_compute_has_token", compute_sudo=True)
    history_days = fields.Integer(
        string="First fetch goes back (days)",
        default=7,
        help="How far back the first fetch of this account imports mentions (at most 20 pages per source, and "
        "only on networks that date their lists); later fetches continue from where the last one stopped.",
    )
    keywords = fields.Text(
        help="Terms to listen for beyond direct mentions, one per line or comma separated.",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Helpdesk team",
        index="btree_not_null",
        check_company=True,
        help="Team that receives the tickets made from this account's conversations.",
    )
    state = fields.Selection(
        [("draft", "Not connected"), ("connected", "Connected"), ("error", "Error"), ("reconnect", "Reconnect needed")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    last_error = fields.Text(readonly=True, copy=False)
    last_sync_at = fields.Datetime(
        string="Last sync", readonly=True, copy=False, help="The last time the network answered a fetch with success."
    )
    last_attempt_at = fields.Datetime(readonly=True, copy=False, help="The last fetch, successful or not.")
    rate_limited_until = fields.Datetime(readonly=True, copy=False)
    cursor = fields.Char(
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="Where the next fetch resumes. Moves only after the mentions it produced are saved.",
    )
    own_external_id = fields.Char(string="Account id on the network", readonly=True, copy=False)
    own_handle = fields.Char(string="Account handle", readonly=True, copy=False)
    mention_ids = fields.One2many("social_crm.mention", "account_id")
    mention_count = fields.Integer(compute="_compute_mention_count")
    color = fields.Integer()
    spike_episode_start = fields.Datetime(
        readonly=True, copy=False, help="Start of the current spike of negative mentions, if one is going on."
    )
    # Private messages by webhook (LINE, Telegram, Messenger, Instagram Direct, WhatsApp).
    receives_messages = fields.Boolean(compute="_compute_receives_messages")
    webhook_key = fields.Char(
        copy=False,
        readonly=True,
        groups="social_crm.group_social_manager",
        help="Random part of the webhook address; regenerate it if the address leaked.",
    )
    webhook_url = fields.Char(
        string="Webhook URL",
        compute="_compute_webhook_url",
        compute_sudo=True,
        groups="social_crm.group_social_manager",
        help="Paste this address in the network's developer console as the webhook (callback) URL.",
    )
    verify_token = fields.Char(
        copy=False,
        groups="social_crm.group_social_manager",
        help="Meta only: the verify token you type in the App Dashboard's webhook settings.",
    )
    # Approval policy (see ``social_crm.approval.mixin.needs_approval``): managers and Publishers never wait.
    reply_policy = fields.Selection(
        ACCOUNT_POLICIES,
        string="Replies",
        default="company",
        required=True,
        tracking=True,
        help="When an agent's reply through this account waits for a Social Manager's approval. Approval when "
        "public: answers to private messages are sent at once.",
    )
    post_policy = fields.Selection(
        ACCOUNT_POLICIES,
        string="Posts",
        default="company",
        required=True,
        tracking=True,
        help="When an agent's post through this account waits for a Social Manager's approval.",
    )
    approver_id = fields.Many2one(
        "res.users",
        string="Approver",
        index="btree_not_null",
        tracking=True,
        domain=lambda self: [
            ("share", "=", False),
            ("groups_id", "in", self.env.ref("social_crm.group_social_manager").ids),
        ],
        help="The Social Manager who receives this account's approval requests; empty: one request for the "
        "managers of the company (the least busy one is assigned, any manager may settle it).",
    )
    effective_reply_policy = fields.Selection(APPROVAL_POLICIES, compute="_compute_effective_policies")
    effective_post_policy = fields.Selection(APPROVAL_POLICIES, compute="_compute_effective_policies")
    csat_enabled = fields.Boolean(
        string="Ask for satisfaction",
        help="When a social ticket of a private conversation is closed, ask the customer on this channel how it "
        "went, with buttons (LINE, Telegram, Messenger, Instagram), else with a link to a page where they give a "
        "score from 1 to 5 (WhatsApp). Asked once per ticket.",
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "An account with this name already exists in this company.",
        ),
        ("webhook_key_uniq", "unique(webhook_key)", "This webhook address is already used by another account."),
    ]

    @api.model
    def _new_webhook_key(self):
        return secrets.token_urlsafe(32)

    @api.depends("network")
    def _compute_receives_messages(self):
        for account in self:
            client_class = CLIENTS.get(account.network)
            account.receives_messages = bool(getattr(client_class, "receives_messages", False))

    @api.depends("webhook_key")
    def _compute_webhook_url(self):
        base = (self.env["ir.config_parameter"].sudo().get_param("web.base.url") or "").rstrip("/")
        for account in self:
            account.webhook_url = f"{base}/social_crm/webhook/{account.webhook_key}" if account.webhook_key else False

    def action_regenerate_webhook_key(self):
        """A new webhook address; the old one answers 404 from now on."""
        self._check_manager()
        for account in self:
            account.sudo().webhook_key = self._new_webhook_key()
            account.message_post(
                body=_("The webhook address was regenerated: paste the new one in the network's console.")
            )

    # ------------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------------

    @api.depends("reply_policy", "post_policy", "company_id.social_reply_policy", "company_id.social_post_policy")
    def _compute_effective_policies(self):
        for account in self:
            account.effective_reply_policy = self.env["social_crm.reply"]._policy_of(account)
            account.effective_post_policy = self.env["social_crm.post"]._policy_of(account)

    @api.constrains("approver_id", "company_id")
    def _check_approver(self):
        manager = self.env.ref("social_crm.group_social_manager")
        for account in self.sudo().filtered("approver_id"):
            approver = account.approver_id
            if manager not in approver.groups_id or account.company_id not in approver.company_ids:
                raise ValidationError(
                    _("The approver of %(account)s must be a Social Manager of its company.", account=account.name)
                )

    def _compute_has_token(self):
        for account in self:
            account.has_token = bool(account.token)
            account.has_secret = bool(account.secret)

    def _compute_mention_count(self):
        counts = dict(
            self.env["social_crm.mention"]._read_group([("account_id", "in", self.ids)], ["account_id"], ["__count"])
        )
        for account in self:
            account.mention_count = counts.get(account, 0)

    @api.onchange("network")
    def _onchange_network(self):
        """A new network starts from its public service (a feed from an empty URL to fill in)."""
        if self.network:
            self.base_url = DEFAULT_BASE_URLS.get(self.network) or False if self.network != "feed" else False

    @api.constrains("history_days")
    def _check_history_days(self):
        if any(account.history_days < 0 for account in self):
            raise ValidationError(_("The first fetch cannot go back a negative number of days."))

    @api.constrains("base_url")
    def _check_base_url(self):
        allowed = self._allowed_hosts()
        for account in self.filtered("base_url"):
            try:
                netguard.check_url(account.base_url.strip(), allowed_hosts=allowed, resolve=False)
            except (api_errors.SocialApiError, ValueError) as exc:
                raise ValidationError(
                    _("The service URL of %(account)s cannot be used: %(reason)s", account=account.name, reason=exc)
                ) from exc

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # A new account starts with the default "Social" helpdesk team, where that team serves its company.
        team = self.env.ref("social_crm.helpdesk_team_social", raise_if_not_found=False)
        for vals in vals_list:
            if not self.env.su or not vals.get("webhook_key"):
                vals["webhook_key"] = self._new_webhook_key()
            if team and "team_id" not in vals:
                company_id = vals.get("company_id") or self.env.company.id
                if not team.company_id or team.company_id.id == company_id:
                    vals["team_id"] = team.id
        accounts = super().create(vals_list)
        self._update_crons()
        return accounts

    def unlink(self):
        res = super().unlink()
        self._update_crons()
        return res

    def _check_company_move(self, company_id):
        """An account moves only to a company its writer belongs to, and only before it holds conversations:
        its mentions, conversations and posts belong to the company they were received in."""
        moving = self.filtered(lambda account: account.company_id.id != company_id)
        if not moving:
            return
        if not company_id or company_id not in self.env.user.company_ids.ids:
            raise AccessError(_("You can only move an account to a company you belong to."))
        Mention, Post = self.env["social_crm.mention"].sudo(), self.env["social_crm.post"].sudo()
        if Mention.search_count([("account_id", "in", moving.ids)], limit=1) or Post.search_count(
            [("account_ids", "in", moving.ids)], limit=1
        ):
            raise ValidationError(
                _("An account that already received messages or published posts cannot move to another company.")
            )

    @api.model
    def _update_crons(self):
        """Fetch, analysis and spike crons run only while at least one account listens (as fetchmail's)."""
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param("database.is_neutralized"):
            return  # a neutralized copy keeps its crons off
        listening = bool(self.sudo().search_count([("state", "in", ("connected", "error"))], limit=1))
        for xmlid in LISTENING_CRONS:
            cron = self.env.ref(xmlid, raise_if_not_found=False)
            if cron and cron.sudo().active != listening:
                cron.sudo().try_write({"active": listening})

    def write(self, vals):
        """Secrets stay with the host, network and login they were entered for."""
        if "company_id" in vals and not self.env.su:
            self._check_company_move(vals["company_id"])
        if not self.env.su and any(name in vals for name in DRAWN_KEY_FIELDS):
            raise AccessError(_("The webhook address is changed only with Regenerate webhook URL."))
        rebound = self.browse()
        if any(name in vals for name in CREDENTIAL_BINDING_FIELDS):
            rebound = self.filtered(
                lambda account: any(
                    name in vals and (vals[name] or False) != (account[name] or False)
                    for name in CREDENTIAL_BINDING_FIELDS
                )
            )
        res = super().write(vals)
        if "state" in vals or "active" in vals:
            self._update_crons()
        if rebound:
            clear = {name: False for name in SECRET_FIELDS if name not in vals}
            reset = {
                "state": "draft",
                "connected_since": False,
                "token_expires_at": False,
                "cursor": False,
                "own_external_id": False,
                "own_handle": False,
                "last_error": False,
            }
            # what this very write sets (a token and its expiry from Connect) is kept
            reset = {name: value for name, value in reset.items() if name not in vals}
            super(SocialCrmAccount, rebound.sudo()).write({**clear, **reset})
            self._update_crons()
            if clear:
                for account in rebound:
                    account.message_post(
                        body=_(
                            "The service URL, network or login changed: the saved credentials were removed and the "
                            "account must be connected again."
                        )
                    )
        return res

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------

    def _check_manager(self):
        self.check_access("write")
        if not self.env.su and not self.env.user.has_group("social_crm.group_social_manager"):
            raise AccessError(_("Only Social Managers can connect or fetch social accounts."))

    def action_test_connection(self):
        """Check the credentials with the network and show the result."""
        self.ensure_one()
        self._check_manager()
        try:
            author = self._get_client().verify()
        except (api_errors.SocialApiError, ValueError, RecursionError, LookupError) as exc:
            # Recorded on the account (no raise: the error must survive this request), and said at once.
            self._mark_failed(exc)
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "danger",
                    "sticky": True,
                    "title": _("Connection failed"),
                    "message": _(
                        "Connection to %(network)s failed: %(error)s",
                        network=self._network_label(),
                        error=self._error_text(exc),
                    ),
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        self.sudo().write(
            {
                "state": "connected",
                "last_error": False,
                "own_external_id": author.external_id,
                "own_handle": author.handle or author.name,
                **self._connected_since_vals(),
            }
        )
        message = _("%(account)s is connected as %(who)s.", account=self.name, who=author.handle or author.name)
        warning = self._subscribe_webhooks()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if warning else "success",
                "sticky": bool(warning),
                "title": _("Connected"),
                "message": f"{message} {warning}" if warning else message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _subscribe_webhooks(self):
        """Install the app on the network's side where the client can (a Facebook Page's ``subscribed_apps``:
        comments in seconds). A refusal is a warning returned in words, never a failed connection: polling
        goes on. Returns the warning, or "" (nothing to do, or done: said in the chatter)."""
        client = self._get_client()
        subscribe = getattr(client, "subscribe_webhooks", None)
        if not callable(subscribe):
            return ""
        try:
            fields = subscribe()
        except (api_errors.SocialApiError, ValueError) as exc:
            _logger.info("social_crm: account %s: webhook subscription refused: %s", self.id, exc)
            return _(
                "%(network)s refused to send its comments to Odoo in real time (%(error)s): give the token the "
                "pages_manage_metadata permission and press Test connection again. Until then comments are "
                "fetched every few minutes.",
                network=self._network_label(),
                error=exc,
            )
        self.message_post(
            body=_(
                "%(network)s now delivers %(fields)s of this Page to the app's webhook.",
                network=self._network_label(),
                fields=", ".join(fields),
            )
        )
        return ""

    def action_fetch_now(self):
        """One full cycle for these accounts: fetch, store, analyze, relate, ticket."""
        self._check_manager()
        stored = 0
        for account in self:
            stored += account._fetch_mentions(auto_commit=False)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": _("%(count)s new mentions.", count=stored),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_view_mentions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("social_crm.social_crm_mention_action")
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action

    def action_reset_to_draft(self):
        self._check_manager()
        self.write({"state": "draft", "last_error": False, "rate_limited_until": False, "connected_since": False})

    def _connected_since_vals(self):
        """``connected_since`` for an account whose token the network just verified (kept while it stays so)."""
        self.ensure_one()
        return {} if self.state == "connected" and self.connected_since else {"connected_since": fields.Datetime.now()}

    # ------------------------------------------------------------------
    # CRON AND FETCH
    # ------------------------------------------------------------------

    @api.model
    def _cron_fetch_mentions(self):
        """Fetch a bounded batch of accounts; the cron runner calls again while work remains."""
        now = fields.Datetime.now()
        domain = [
            ("state", "in", ("connected", "error")),
            "|",
            ("rate_limited_until", "=", False),
            ("rate_limited_until", "<=", now),
            "|",
            ("last_attempt_at", "=", False),
            ("last_attempt_at", "<", now - timedelta(minutes=1)),
        ]
        accounts = self.search(domain, order="last_attempt_at asc nulls first, id")
        batch = accounts[:CRON_ACCOUNTS_PER_RUN]
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        for done, account in enumerate(batch, start=1):
            account._fetch_mentions(auto_commit=auto_commit)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(accounts) - done)
        return len(batch)

    def _fetch_mentions(self, auto_commit=False):
        """Fetch everything new for one account; never raises for API failures.

        The cursor is written in the same transaction as the page of mentions
        that produced it, so a crash between pages resumes from the last saved
        page: nothing is lost, and re-fetched items are skipped as duplicates.
        """
        self.ensure_one()
        if not self._try_lock(session=auto_commit):
            _logger.info("social_crm: account %s is being fetched by another worker, skipped", self.id)
            return 0
        Mention = self.env["social_crm.mention"].with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        )
        stored = 0
        try:
            client = self._get_client()
            if auto_commit:
                # a token refreshed by _get_client was committed by its own cursor: start a new snapshot,
                # so the writes below do not meet it as a concurrent update
                self.env.cr.commit()  # pylint: disable=invalid-commit
            keywords = self._keyword_list()
            for page in client.fetch(cursor=self.sudo().cursor or None, keywords=keywords):
                with self.env.cr.savepoint():
                    for reason in page.skipped:
                        _logger.warning("social_crm: account %s (%s): skipped %s", self.name, self.id, reason)
                    stored += len(Mention._ingest_items(self, page.items))
                    self.sudo().cursor = page.cursor
                    self.env.flush_all()
                if auto_commit:
                    # the cursor moves only with its committed page: a crash later loses nothing
                    self.env.cr.commit()  # pylint: disable=invalid-commit
            # Connected means the network checked the token: a client that sent nothing (webhook-only
            # networks) proves nothing, and leaves the state and the last sync as they were.
            done = {"last_attempt_at": fields.Datetime.now(), "rate_limited_until": False}
            if client.answered:
                done.update(
                    state="connected",
                    last_error=self._fetch_notice(client),
                    last_sync_at=fields.Datetime.now(),
                    **self._connected_since_vals(),
                )
            self.write(done)
            self.env["social_crm.mention"]._check_deleted_on_network(self, client)
        except api_errors.RateLimited as exc:
            wait = max(exc.retry_after or 60, 1)
            self.write(
                {
                    "rate_limited_until": fields.Datetime.now() + timedelta(seconds=wait),
                    "last_error": _(
                        "%(network)s asks us to slow down: fetching resumes after %(seconds)s seconds.",
                        network=self._network_label(),
                        seconds=int(wait),
                    ),
                    "last_attempt_at": fields.Datetime.now(),
                }
            )
        except api_errors.SocialApiError as exc:
            _logger.warning("social_crm: account %s (%s) failed: %s", self.name, self.id, exc)
            self._mark_failed(exc)
        except Exception as exc:  # an account must never break the cron for the others
            _logger.exception("social_crm: account %s (%s) crashed", self.name, self.id)
            self._mark_failed(exc)
        finally:
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self._unlock()
        return stored

    def _try_lock(self, session=False):
        """Take the fetch lock of this account; False when another worker holds it.

        A session-level advisory lock survives the commits made per page by the
        cron; a manual fetch (one transaction) takes the transaction-level one.
        """
        function = "pg_try_advisory_lock" if session else "pg_try_advisory_xact_lock"
        self.env.cr.execute(f"SELECT {function}(%s, %s)", (FETCH_LOCK_NAMESPACE, self.id))
        return self.env.cr.fetchone()[0]

    def _unlock(self):
        self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", (FETCH_LOCK_NAMESPACE, self.id))

    def _mark_failed(self, exc):
        """Record a failure in words; the last sync stays the last success. A revoked grant was recorded
        already (*Reconnect needed*, by the refresh under its row lock) and is left as it is."""
        if isinstance(exc, api_errors.GrantRevoked) or self.state == "reconnect":
            return
        self.sudo().write(
            {"state": "error", "last_error": self._error_text(exc), "last_attempt_at": fields.Datetime.now()}
        )

    def _error_text(self, exc):
        """A translated sentence for the user, followed by what the network said."""
        network = self._network_label()
        if isinstance(exc, api_errors.UnsafeAddress):
            text = _("%(network)s was not contacted: its address is not allowed.", network=network)
        elif isinstance(exc, api_errors.WindowExpired):
            text = _(
                "%(network)s no longer lets the business answer this conversation: its reply window closed. "
                "Wait for the customer to write again.",
                network=network,
            )
        elif isinstance(exc, api_errors.RecipientUnavailable):
            text = _(
                "%(network)s cannot deliver to this person: they blocked the account or left the chat.",
                network=network,
            )
        elif isinstance(exc, api_errors.AuthenticationFailed):
            text = _("%(network)s rejected the credentials: log in again or renew the token.", network=network)
        elif isinstance(exc, api_errors.RateLimited):
            text = _("%(network)s asks us to slow down.", network=network)
        elif isinstance(exc, api_errors.NotFound):
            text = _("%(network)s says this account, post or page does not exist (or was deleted).", network=network)
        elif isinstance(exc, api_errors.ConnectionFailed):
            text = _("%(network)s cannot be reached right now; the next run tries again.", network=network)
        elif isinstance(exc, api_errors.BadPayload):
            text = _("%(network)s sent an answer we cannot read; the next run tries again.", network=network)
        elif isinstance(exc, api_errors.SocialApiError):
            text = _("%(network)s refused the request.", network=network)
        elif isinstance(exc, RecursionError):
            return _("%(network)s sent an answer nested too deeply to read.", network=network)
        elif isinstance(exc, LookupError):
            return _(
                "%(network)s sent an answer in an unknown format or encoding (%(error)s).", network=network, error=exc
            )
        elif isinstance(exc, ValueError):
            return str(exc)
        else:
            return _("Unexpected error while talking to %(network)s: %(error)s", network=network, error=exc)
        return f"{text} ({exc})"

    # ------------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------------

    def _network_label(self):
        return dict(self._fields["network"]._description_selection(self.env)).get(self.network, self.network)

    def _keyword_list(self):
        """The account's own terms, then the Share of Voice terms of its company (own brand and competitors),
        so that the report measures mentions the fetch actually looked for. Each term once."""
        raw = (self.keywords or "").replace(",", "\n")
        terms = [kw.strip() for kw in raw.splitlines() if kw.strip()]
        share_terms = (
            self.env["social_crm.keyword"]
            .sudo()
            .search_fetch([("company_id", "in", [self.company_id.id, False])], ["name"], order="group desc, id")
            .mapped("name")
        )
        seen, result = set(), []
        for term in terms + [name.strip() for name in share_terms if name and name.strip()]:
            if term.casefold() not in seen:
                seen.add(term.casefold())
                result.append(term)
        return result

    def _get_client(self):
        """The network client for this account (dispatch point for new networks)."""
        self.ensure_one()
        custom = getattr(self, f"_get_client_{self.network}", None)
        if custom:
            return custom()
        account = self.sudo()
        return get_client(
            self.network,
            base_url=account.base_url or None,
            login=account.login or None,
            token=account.token or None,
            allowed_hosts=self._allowed_hosts(),
            options={"secret": account.secret or "", "history_days": account.history_days},
        )

    @api.model
    def _allowed_hosts(self):
        """Hosts and CIDR ranges that accounts may reach although private (system parameter)."""
        return self.env["ir.config_parameter"].sudo().get_param("social_crm.allowed_hosts") or ""
