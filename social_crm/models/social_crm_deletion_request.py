# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Deletions that come from the networks.

* Meta's data-deletion callback: a person asks Meta to delete their data, Meta
  tells us, we erase them. The route (controllers/data_deletion.py) checks
  Meta's signature; ``social_crm.deletion.request`` erases the identity and
  keeps a status anyone holding the confirmation code can read (no personal
  data in it).
* Posts their authors deleted on the network (reported by a webhook, or found
  gone by the fetch's rotating check): their text and link go here too.
"""

import logging
import secrets
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from ..connectors import errors as api_errors
from ..tools.bulk_sql import update_rows
from ..tools.person_text import PersonText
from .selections import ERASED_PREFIX, META_NETWORKS

_logger = logging.getLogger(__name__)

# Posts of the last days are re-checked for deletion on the network, a bounded batch per fetch (the client's
# ``deletion_batch``), the longest unchecked first.
DELETION_CHECK_DAYS = 30


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
        Privacy = self.env["social_crm.privacy"]
        hashed = Privacy._hash(account.network, user_id)
        identities = Identity.search(
            [
                ("network", "=", account.network),
                ("company_id", "=", account.company_id.id),
                ("external_id", "in", [user_id, hashed]),
            ]
        )
        # The signed request of the network stands for the person: no user's rights to check.
        Privacy._erase(identities, requested_by=self.env._("requested by Meta data-deletion callback"))
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


class SocialCrmMention(models.Model):
    _inherit = "social_crm.mention"

    deleted_on_network = fields.Boolean(
        readonly=True, copy=False, help="Its author deleted it on the network: its text and link were removed here."
    )
    deletion_checked_at = fields.Datetime(
        string="Checked on the network", readonly=True, copy=False, help="When the fetch last found it still online."
    )

    @api.model
    def _unique_new_items(self, account, items):
        """A post erased here (its id hashed) is not stored again when a later fetch sees it."""
        items = super()._unique_new_items(account, items)
        if not items:
            return items
        Privacy = self.env["social_crm.privacy"]
        key = Privacy._hash_key()
        hashes = {Privacy._hash(account.id, item.external_id, key): item.external_id for item in items}
        erased = self.sudo().search_fetch(
            [("account_id", "=", account.id), ("external_id", "in", list(hashes))], ["external_id"]
        )
        skipped = {hashes[m.external_id] for m in erased}
        return [item for item in items if item.external_id not in skipped]

    @api.model
    def _mark_deleted(self, account, external_ids):
        """Posts their authors deleted on the network: text, link and payload removed here, counts kept.

        The fetch (or a webhook) calls it with the ids the network reported
        deleted. Titles, descriptions and chatter messages made from those
        posts are replaced too (inside the posts' conversations and tickets). Returns the mentions marked.
        """
        mentions = self.sudo().search(
            [
                ("account_id", "=", account.id),
                ("external_id", "in", list(external_ids)),
                ("deleted_on_network", "=", False),
            ]
        )
        if not mentions:
            return mentions
        placeholder = self.env._("[deleted by its author]")
        urls = [m.url for m in mentions]
        inside = PersonText(urls, [m.body for m in mentions], placeholder)
        Privacy = self.env["social_crm.privacy"]
        scope = Privacy._scope(self.env["social_crm.identity"], mentions)
        Privacy._scrub(scope, inside, PersonText(urls, [], placeholder))
        mentions.write({"body": placeholder, "url": False, "external_data": False, "deleted_on_network": True})
        self.env["social_crm.media"]._erase_media(mentions)  # their pictures and files go too
        (scope.threads | scope.touched_threads)._refresh_stats()  # the inbox's last message follows
        tickets = scope.tickets
        if tickets:
            note = Markup("<p>%s</p>") % self.env._("The author deleted a post of this conversation on the network.")
            tickets._message_log_batch(dict.fromkeys(tickets.ids, note))
        return mentions

    @api.model
    def _check_deleted_on_network(self, account, client):
        """After a fetch: ask the network which of a bounded batch of recent inbound posts are gone, mark those.

        The batch rotates: posts never checked come first, then those checked longest ago, so each post of the last
        ``DELETION_CHECK_DAYS`` days is re-checked in turn. A failure to ask is recorded on the account in
        words and never fails the fetch; the next fetch tries again. Returns the mentions marked deleted.
        """
        batch = getattr(client, "deletion_batch", 0)
        if not batch:
            return self.browse()
        self.flush_model(["account_id", "direction", "deleted_on_network", "posted_at", "deletion_checked_at"])
        self.env.cr.execute(
            SQL(
                """SELECT id, external_id FROM social_crm_mention
                    WHERE account_id = %s AND direction = 'inbound' AND deleted_on_network IS NOT TRUE
                      AND posted_at >= %s AND external_id NOT LIKE %s
                 ORDER BY deletion_checked_at NULLS FIRST, id
                    LIMIT %s""",
                account.id,
                fields.Datetime.now() - timedelta(days=DELETION_CHECK_DAYS),
                ERASED_PREFIX + "%",
                batch,
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return self.browse()
        try:
            gone = client.gone([external_id for _id, external_id in rows])
        except (api_errors.SocialApiError, ValueError, RecursionError, LookupError) as exc:
            _logger.warning("social_crm: account %s (%s): deletion check failed: %s", account.name, account.id, exc)
            account.sudo().last_error = self.env._(
                "Fetching worked, but asking %(network)s which posts were deleted failed; the next "
                "fetch asks again. %(error)s",
                network=account._network_label(),
                error=account._error_text(exc),
            )
            return self.browse()
        with self.env.cr.savepoint():
            checked = self.browse([row_id for row_id, _ext in rows])
            update_rows(
                self, [(m.id, {"deletion_checked_at": fields.Datetime.now()}) for m in checked], ["deletion_checked_at"]
            )
            return self._mark_deleted(account, gone) if gone else self.browse()
