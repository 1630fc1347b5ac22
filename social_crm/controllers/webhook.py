# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook intake: check, store once, acknowledge; the processing cron does the rest."""

import json
import logging

import psycopg2
from werkzeug.exceptions import RequestEntityTooLarge

from odoo import http
from odoo.http import request

from ..connectors import CLIENTS
from ..connectors import errors as api_errors
from ..connectors.messaging import same_secret

_logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # bytes; the networks' deliveries are far smaller


def _answer(status, text=""):
    return request.make_response(text, headers=[("Content-Type", "text/plain; charset=utf-8")], status=status)


class SocialCrmWebhook(http.Controller):
    @http.route(
        "/social_crm/webhook/<string:key>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
        # werkzeug stops reading a body here, with or without Content-Length (chunked): one byte
        # more than allowed tells a body over the limit from one just at it.
        max_content_length=MAX_BODY + 1,
    )
    def webhook(self, key, **_params):
        account = self._account(key)
        if not account:
            return _answer(404, "Unknown webhook.")
        if request.httprequest.method == "GET":
            return self._handshake(account)
        return self._receive(account)

    def _account(self, key):
        if not key or len(key) > 128:
            return None
        # One query: what the route needs of the account comes with the search.
        account = (
            request.env["social_crm.account"]
            .sudo()
            .search_fetch(
                [("webhook_key", "=", key)], ["network", "secret", "company_id", "login", "own_external_id"], limit=1
            )
        )
        if not account or not getattr(CLIENTS.get(account.network), "receives_messages", False):
            return None
        return account

    def _handshake(self, account):
        """Meta's subscription check: echo the challenge when the verify token matches."""
        args = request.httprequest.args
        token = account.verify_token or ""
        if args.get("hub.mode") == "subscribe" and token and same_secret(token, args.get("hub.verify_token") or ""):
            return _answer(200, args.get("hub.challenge") or "")
        return _answer(403, "Verification failed.")

    def _receive(self, account):
        length = request.httprequest.content_length
        if length is not None and length > MAX_BODY:
            return _answer(413, "Delivery too large.")
        try:
            # A chunked body (no Content-Length) is read up to MAX_BODY + 1 bytes, never whole.
            raw = request.httprequest.get_data(cache=False)
        except RequestEntityTooLarge:
            return _answer(413, "Delivery too large.")
        if len(raw) > MAX_BODY:
            return _answer(413, "Delivery too large.")
        client_class = CLIENTS[account.network]
        try:
            client_class.check_signature(raw, request.httprequest.headers, account.secret or "")
        except api_errors.Unsigned:
            _logger.info("social_crm: unsigned delivery refused for account %s", account.id)
            return _answer(401, "Unsigned delivery.")
        except api_errors.BadSignature:
            _logger.info("social_crm: delivery with a wrong signature refused for account %s", account.id)
            return _answer(403, "Bad signature.")
        try:
            # Strangers' bytes: an invalid UTF-8 sequence becomes U+FFFD rather than losing the delivery;
            # NUL and lone surrogates are removed when the events are stored (_store_deliveries).
            payload = json.loads(raw.decode("utf-8", errors="replace"))
            events = client_class.split_delivery(payload)
        except (ValueError, RecursionError, api_errors.BadPayload) as exc:
            _logger.info("social_crm: unreadable delivery for account %s: %s", account.id, exc)
            return _answer(400, "Delivery is not valid JSON of this network.")
        Event = request.env["social_crm.event"].sudo()
        # The intake stays cheap (one INSERT and the cron's trigger, no analysis): the processing cron
        # does the rest, and gives way while deliveries arrive (social_crm.event._cron_process).
        try:
            stored = 0
            for target, target_events in self._route(account, events).items():
                stored += Event._store_deliveries(target, target_events)
            if stored:
                Event._wake_processing()
        except psycopg2.Error as exc:
            # Not acknowledged: the network delivers it again later. Nothing else of this request is kept.
            request.env.cr.rollback()
            _logger.warning("social_crm: delivery for account %s not stored: %s", account.id, exc)
            return _answer(503, "Temporarily unavailable, retry later.")
        return _answer(200, "OK")

    def _route(self, account, events):
        """``{account: events}``: each event goes to the account it is for.

        Meta has one callback URL per app and object (Page, Instagram): every Page and Instagram account of
        the app is delivered to the address the admin pasted, which may be the one of another account of
        the app. An event whose entry names another account goes to that account when it is of the same
        company and holds the same app secret (the signature just checked is then its own); anything else
        stays with the addressed account, whose client ignores what is not its own, or, being of another
        network, is not kept. Nothing crosses companies. One query, only when an event names another account.
        """
        networks = list(getattr(CLIENTS[account.network], "routed_objects", {}).values())
        own = {account.login or "", account.own_external_id or ""} - {""}

        def is_own(event):
            return (event.network or account.network) == account.network and (
                not event.owner_id or event.owner_id in own
            )

        foreign = {event.owner_id for event in events if networks and event.owner_id and not is_own(event)}
        siblings = {}
        if foreign:
            candidates = (
                request.env["social_crm.account"]
                .sudo()
                .search_fetch(
                    [
                        ("id", "!=", account.id),
                        ("company_id", "=", account.company_id.id),
                        ("network", "in", networks),
                        "|",
                        ("login", "in", list(foreign)),
                        ("own_external_id", "in", list(foreign)),
                    ],
                    ["network", "login", "own_external_id", "secret", "company_id"],
                    order="id",
                )
            )
            for sibling in candidates:
                if sibling.secret and account.secret and same_secret(sibling.secret, account.secret):
                    for owner in {sibling.login, sibling.own_external_id} - {False, ""}:
                        siblings.setdefault((sibling.network, owner), sibling)
        routed = {}
        for event in events:
            network = event.network or account.network
            target = account if is_own(event) else siblings.get((network, event.owner_id))
            if target is None and network == account.network:
                target = account
            if target is None:
                _logger.info(
                    "social_crm: %s event for %s delivered to account %s, which has no such %s account: not kept",
                    network,
                    event.owner_id,
                    account.id,
                    network,
                )
                continue
            routed.setdefault(target, []).append(event)
        return routed
