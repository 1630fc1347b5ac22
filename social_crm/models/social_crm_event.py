# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook deliveries, stored raw before anything else, then processed by a cron.

The controller stores each event of a delivery once (unique per account on the network's own
event id) and wakes the processing cron. The cron claims bounded batches with
``FOR UPDATE SKIP LOCKED``, so every server's cron workers share the queue, reads each event
with the account's pure-Python client and feeds the items into the same pipeline as polling.
"""

import json
import logging
import threading
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..connectors import errors as api_errors
from ..connectors import get_client_class
from ..connectors.utils import BadItem
from ..tools.bulk_insert import insert_new_rows

_logger = logging.getLogger(__name__)

EVENT_BATCH = 200
MAX_BATCHES = 20  # per cron run; the runner calls again while work remains
MAX_ATTEMPTS = 8
RETRY_BASE = timedelta(minutes=1)  # 1, 2, 4 ... minutes between attempts
RETRY_MAX = timedelta(hours=6)
PROFILES_PER_BATCH = 20  # profile API calls per account and batch, for authors the payload does not name
EVENT_STATES = [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")]


class SocialCrmEvent(models.Model):
    _name = "social_crm.event"
    _description = "Social Webhook Event"
    _order = "id desc"
    _rec_name = "event_id"
    _check_company_auto = True

    account_id = fields.Many2one(
        "social_crm.account", required=True, index=True, ondelete="cascade", readonly=True, check_company=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    network = fields.Selection(related="account_id.network", store=True)
    event_id = fields.Char(string="Event id", required=True, readonly=True, help="The network's own id of the event.")
    received_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    payload = fields.Json(string="Raw payload", readonly=True)
    payload_text = fields.Text(string="Delivered payload", compute="_compute_payload_text")
    state = fields.Selection(EVENT_STATES, default="pending", required=True, readonly=True, index=True)
    attempts = fields.Integer(readonly=True)
    error = fields.Text(readonly=True)
    outcome = fields.Char(readonly=True, help="What came of the event: messages stored, deletions, or why ignored.")
    next_attempt_at = fields.Datetime(readonly=True, index="btree_not_null")

    _sql_constraints = [
        ("account_event_uniq", "unique(account_id, event_id)", "This event was already received for this account."),
    ]

    @api.depends("payload")
    def _compute_payload_text(self):
        for event in self:
            event.payload_text = json.dumps(event.payload, ensure_ascii=False, indent=2) if event.payload else False

    # ------------------------------------------------------------------
    # INTAKE
    # ------------------------------------------------------------------

    @api.model
    def _store_deliveries(self, account, events):
        """Insert a delivery's ``WebhookEvent``s; redeliveries are skipped. Returns the number stored."""
        now = fields.Datetime.now()
        vals_list = [
            {
                "account_id": account.id,
                "company_id": account.company_id.id,
                "network": account.network,
                "event_id": event.event_id,
                "received_at": now,
                "payload": event.raw,
                "state": "pending",
                "attempts": 0,
            }
            for event in events
        ]
        inserted = insert_new_rows(self.sudo(), vals_list, ["account_id", "event_id"], "event_id")
        return len(inserted)

    @api.model
    def _wake_processing(self):
        self.env.ref("social_crm.ir_cron_process_events").sudo()._trigger()

    # ------------------------------------------------------------------
    # PROCESSING
    # ------------------------------------------------------------------

    @api.model
    def _cron_process(self, batch_size=EVENT_BATCH, max_batches=MAX_BATCHES):
        """Process bounded batches of due events, committing after each batch."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        done = 0
        for _batch in range(max_batches):
            events = self._claim(batch_size)
            if not events:
                break
            events._process()
            done += len(events)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env["ir.cron"]._notify_progress(done=done, remaining=self._due_count())
        return done

    def _due_domain(self):
        return [
            ("state", "in", ("pending", "failed")),
            ("attempts", "<", MAX_ATTEMPTS),
            "|",
            ("next_attempt_at", "=", False),
            ("next_attempt_at", "<=", fields.Datetime.now()),
        ]

    @api.model
    def _due_count(self):
        return self.sudo().search_count(self._due_domain())

    @api.model
    def _claim(self, limit):
        """Lock up to ``limit`` due events that no other worker holds (released at commit)."""
        self.env.cr.execute(
            """
            SELECT id FROM social_crm_event
             WHERE state IN ('pending', 'failed') AND attempts < %s
               AND (next_attempt_at IS NULL OR next_attempt_at <= now() AT TIME ZONE 'UTC')
             ORDER BY id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            [MAX_ATTEMPTS, limit],
        )
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

    def _process(self):
        by_account = defaultdict(lambda: self.browse())
        for event in self:
            by_account[event.account_id] |= event
        for account, events in by_account.items():
            events._process_account(account)

    def _process_account(self, account):
        """Read this account's events into items and deletions, then run the polling pipeline once."""
        client_class = get_client_class(account.network)
        items, deleted, read, outcomes = [], [], self.browse(), {}
        for event in self:
            if self.env["social_crm.csat"]._take_answer(account, event):  # a satisfaction button pressed
                continue
            try:
                outcome = client_class.read_event(event.payload, account.own_external_id or None)
            except (BadItem, api_errors.SocialApiError, ValueError, TypeError, KeyError, RecursionError) as exc:
                event._fail(exc)
                continue
            if outcome.ignored:
                _logger.info(
                    "social_crm: event %s of account %s ignored: %s", event.event_id, account.id, outcome.ignored
                )
            for item in outcome.items:
                item.visibility = "private"
                item.extra = {**(item.extra or {}), "received_at": event.received_at.isoformat() + "+00:00"}
            items.extend(outcome.items)
            deleted.extend(outcome.deleted_ids)
            outcomes[event] = self._describe(outcome)
            read |= event
        if not read:
            return
        try:
            with self.env.cr.savepoint():
                self._fill_profiles(account, items)
                self.env["social_crm.mention"]._ingest_items(account, items)
                if deleted:
                    self.env["social_crm.mention"]._mark_deleted(account, deleted)
        except Exception as exc:  # the events stay, with the error, and are tried again later
            _logger.info("social_crm: events of account %s failed: %s", account.id, exc, exc_info=True)
            for event in read:
                event._fail(exc)
            return
        for event in read:
            event.write({"state": "done", "error": False, "outcome": outcomes[event], "attempts": event.attempts + 1})

    def _describe(self, outcome):
        if outcome.ignored:
            return self.env._("Ignored: %(reason)s", reason=outcome.ignored)
        if outcome.deleted_ids:
            return self.env._("%(count)s message(s) deleted by their author", count=len(outcome.deleted_ids))
        return self.env._("%(count)s message(s) stored", count=len(outcome.items))

    def _fail(self, exc):
        self.ensure_one()
        attempts = self.attempts + 1
        wait = min(RETRY_BASE * 2 ** (attempts - 1), RETRY_MAX)
        if isinstance(exc, api_errors.RateLimited):
            wait = max(wait, timedelta(seconds=exc.retry_after))
        self.write(
            {
                "state": "failed",
                "attempts": attempts,
                "error": f"{type(exc).__name__}: {exc}",
                "next_attempt_at": fields.Datetime.now() + wait if attempts < MAX_ATTEMPTS else False,
            }
        )

    def _fill_profiles(self, account, items):
        """Names and avatars from the network's profile API for authors the payload does not name.

        Identities that already have a name are not asked again; a failing profile call only
        leaves the name empty.
        """
        missing = {item.author.external_id: item.author for item in items if item.author and not item.author.name}
        if not missing:
            return
        known = set(
            self.env["social_crm.identity"]
            .sudo()
            .search_fetch(
                [
                    ("network", "=", account.network),
                    ("company_id", "=", account.company_id.id),
                    ("external_id", "in", list(missing)),
                    ("name", "!=", False),
                ],
                ["external_id"],
            )
            .mapped("external_id")
        )
        todo = [external_id for external_id in missing if external_id not in known][:PROFILES_PER_BATCH]
        if not todo:
            return
        client = account._get_client()
        for external_id in todo:
            try:
                profile = client.profile(external_id)
            except (api_errors.SocialApiError, NotImplementedError, ValueError) as exc:
                _logger.info("social_crm: no profile for %s on account %s: %s", external_id, account.id, exc)
                continue
            for item in items:
                if item.author and item.author.external_id == external_id:
                    item.author.name = profile.name or item.author.name
                    item.author.avatar_url = profile.avatar_url or item.author.avatar_url
                    item.author.handle = item.author.handle or profile.handle
                    item.author.bio = item.author.bio or profile.bio

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------

    def action_retry(self):
        """Try failed events again at the next run (system administrators)."""
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only system administrators can retry webhook events."))
        self.sudo().filtered(lambda event: event.state == "failed").write(
            {"attempts": 0, "next_attempt_at": False, "state": "pending"}
        )
        self._wake_processing()
