# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook deliveries, stored raw before anything else, then processed by a cron.

The controller stores each event of a delivery once (unique per account on the network's own
event id) and wakes the processing cron. The cron claims bounded batches with
``FOR UPDATE SKIP LOCKED``, so every server's cron workers share the queue, reads each event
with the account's pure-Python client and feeds the items into the same pipeline as polling.
"""

import json
import logging
import os
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..connectors import CLIENTS, get_client_class
from ..connectors import errors as api_errors
from ..connectors.utils import BadItem, scrub_fields, storable
from ..tools.bulk_sql import insert_rows

_logger = logging.getLogger(__name__)

EVENT_BATCH = 50  # small batches: between two of them the cron looks whether deliveries are arriving
MAX_BATCHES = 100  # per cron run; the runner calls again while work remains
# Intake first: while deliveries arrive (one in the last INTAKE_QUIET), the cron takes only YIELD_BATCH
# events, then sleeps YIELD_PAUSE, so the HTTP workers keep the cores and answer at once; it catches up
# after the burst. Traffic that does not stop is no burst: after YIELD_WINDOW of deliveries without a
# quiet second, full batches again. The cron runs at a lower CPU priority (CRON_NICE) all along.
INTAKE_QUIET = timedelta(seconds=1)
YIELD_BATCH = 5
YIELD_PAUSE = 0.5  # seconds
YIELD_WINDOW = 20  # seconds
CRON_NICE = 19  # as low as Linux goes: the HTTP workers come first
YIELD_PARAM = "social_crm.webhook_yield"
RUN_SECONDS = 45  # per cron call
TRIGGER_REUSE = timedelta(seconds=1)  # call_at is stored to the second: a trigger of the last 1-2 s
LINGER = timedelta(seconds=5)  # the cron stops once the queue is empty and no delivery came for this long
MAX_ATTEMPTS = 8
RETRY_BASE = timedelta(minutes=1)  # 1, 2, 4 ... minutes between attempts
RETRY_MAX = timedelta(hours=6)
PROFILES_PER_BATCH = 20  # profile API calls per account and batch, for authors the payload does not name
EVENT_STATES = [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")]
# Bots whose updates Odoo may ask for (getUpdates) instead of receiving them: Telegram, Bale.
POLLING_NETWORKS = tuple(network for network, client in CLIENTS.items() if hasattr(client, "poll"))
POLL_ACCOUNTS_PER_RUN = 10
POLL_ROUNDS = 5  # getUpdates calls per account and run (100 updates each)


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
        # Strangers' text is cleaned here, at the boundary: PostgreSQL refuses NUL (in text and in
        # jsonb) and lone surrogates cannot be encoded; both are dropped, the rest is kept.
        vals_list = [
            {
                "account_id": account.id,
                "company_id": account.company_id.id,
                "network": account.network,
                "event_id": storable(event.event_id),
                "received_at": now,
                "payload": storable(event.raw),
                "state": "pending",
                "attempts": 0,
            }
            for event in events
        ]
        inserted = insert_rows(self.sudo(), vals_list, conflict=["account_id", "event_id"], key="event_id")
        return len(inserted)

    @api.model
    def _wake_processing(self):
        """Trigger the processing cron, unless a delivery did within the last second or so.

        A trigger costs an INSERT, a new connection to the ``postgres`` database and a NOTIFY: at 50
        deliveries a second that was most of the route's work. Reusing a recent one is safe because the
        cron stops only once no delivery arrived for ``LINGER`` (longer than a trigger is reused): a
        delivery that relied on a trigger the cron had already consumed is still claimed by that run.
        """
        # The id from the cached xmlid lookup: env.ref() would also check that the record exists.
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id("social_crm.ir_cron_process_events", True)
        self.env.cr.execute(
            "SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s AND call_at >= %s LIMIT 1",
            [cron_id, fields.Datetime.now() - TRIGGER_REUSE],
        )
        if not self.env.cr.fetchone():
            self.env["ir.cron"].sudo().browse(cron_id)._trigger()

    # ------------------------------------------------------------------
    # POLLING (Telegram and Bale bots of installs without a public address)
    # ------------------------------------------------------------------

    @api.model
    def _cron_poll_telegram(self):
        """Ask Telegram and Bale for the updates of accounts in polling mode; they join the webhook events' queue.

        A bounded batch of accounts (those asked longest ago first), committed per account.
        """
        accounts = self.env["social_crm.account"].search(
            [
                ("network", "in", POLLING_NETWORKS),
                ("telegram_mode", "=", "polling"),
                ("state", "in", ("connected", "error")),
            ],
            limit=POLL_ACCOUNTS_PER_RUN,
            order="last_attempt_at asc nulls first, id",
        )
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        stored = 0
        for account in accounts:
            stored += self._poll_account(account)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        if stored:
            self._wake_processing()
        return stored

    @api.model
    def _poll_account(self, account, max_rounds=POLL_ROUNDS):
        """Store the account's new updates; the offset moves only with the events it covers."""
        account.ensure_one()
        stored = 0
        try:
            client = account._get_client()
            for _round in range(max_rounds):
                offset = account.sudo().telegram_offset or None
                events, next_offset = client.poll(offset)
                with self.env.cr.savepoint():
                    stored += self._store_deliveries(account, events)
                    account.sudo().telegram_offset = next_offset
                if not events:
                    break
            now = fields.Datetime.now()
            account.write(
                {
                    "state": "connected",
                    "last_error": False,
                    "last_sync_at": now,
                    "last_attempt_at": now,
                    **account._connected_since_vals(),
                }
            )
        except api_errors.SocialApiError as exc:
            _logger.info("social_crm: polling %s account %s failed: %s", account.network, account.id, exc)
            account._mark_failed(exc)
        return stored

    # ------------------------------------------------------------------
    # PROCESSING
    # ------------------------------------------------------------------

    @api.model
    def _cron_process(self, batch_size=EVENT_BATCH, max_batches=MAX_BATCHES, yield_to_intake=None):
        """Process bounded batches of due events, committing after each batch.

        ``yield_to_intake`` (default: system parameter ``social_crm.webhook_yield``, on unless "0"):
        while deliveries keep arriving, take small batches and pause between them, at a lower CPU
        priority, so the webhook route answers first (README, "Sizing for private messages").
        """
        testing = getattr(threading.current_thread(), "testing", False)
        if yield_to_intake is None:
            # Read fresh (not the cached get_param): a bench or an operator switches it on a running server.
            self.env.cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [YIELD_PARAM])
            row = self.env.cr.fetchone()
            yield_to_intake = not row or row[0] != "0"
        done = 0
        started = time.monotonic()
        busy_since = None  # when the current run of deliveries began
        with _lower_priority(yield_to_intake and not testing):
            for _batch in range(max_batches):
                now = time.monotonic()
                if now - started > RUN_SECONDS:
                    break  # well within the cron worker's time limit; the runner calls again while work remains
                limit = batch_size
                if yield_to_intake and self._intake_busy():
                    busy_since = busy_since or now
                    if now - busy_since < YIELD_WINDOW:
                        limit = min(batch_size, YIELD_BATCH)
                        if not testing:
                            time.sleep(YIELD_PAUSE)
                else:
                    busy_since = None
                events = self._claim(limit)
                if not events:
                    if testing or not self._intake_busy(LINGER):
                        break
                    # A delivery may be on its way that relied on this run (_wake_processing): look again.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                    time.sleep(YIELD_PAUSE)
                    continue
                events._process()
                done += len(events)
                if not testing:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env["ir.cron"]._notify_progress(done=done, remaining=self._due_count())
        return done

    @api.model
    def _intake_busy(self, within=INTAKE_QUIET):
        """Whether a delivery arrived within the last ``within`` (an index-only look)."""
        self.flush_model(["received_at"])
        self.env.cr.execute(
            "SELECT 1 FROM social_crm_event WHERE received_at > %s LIMIT 1",
            [fields.Datetime.now() - within],
        )
        return bool(self.env.cr.fetchone())

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
        self.flush_model(["state", "attempts", "next_attempt_at"])
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
        """Read this account's events into items and deletions, then run the polling pipeline once.

        The batch goes through the pipeline at once; when that fails, each event goes through
        alone in its own savepoint, so one bad event fails (and is retried, then given up) and
        the others are stored.
        """
        client_class = get_client_class(account.network)
        read, outcomes = {}, {}
        client = None  # made once, for the events that hold only ids (Instagram mentions)
        for event in self:
            if self.env["social_crm.csat"]._take_answer(account, event):  # a satisfaction button pressed
                continue
            if self.env["social_crm.business.connection"]._take_update(account, event):  # Telegram Business
                continue
            try:
                outcome = client_class.read_event(event.payload, account.own_external_id or None)
                if outcome.lookups:
                    client = client or account._get_client()
                    outcome.items.extend(self._read_lookups(client, outcome))
            except (BadItem, api_errors.SocialApiError, ValueError, TypeError, KeyError, RecursionError) as exc:
                event._fail(exc)
                continue
            if outcome.ignored:
                _logger.info(
                    "social_crm: event %s of account %s ignored: %s", event.event_id, account.id, outcome.ignored
                )
            for item in outcome.items:
                if outcome.public:
                    # Comments and mentions (feed and comment webhooks): public, as the poller stores them.
                    item.visibility = "public"
                    continue
                item.visibility = getattr(client_class, "webhook_visibility", "private")
                item.extra = {**(item.extra or {}), "received_at": event.received_at.isoformat() + "+00:00"}
            read[event] = outcome
            outcomes[event] = self._describe(outcome)
        if not read:
            return
        try:
            with self.env.cr.savepoint():
                # Private messages name only an id; public comments carry what their network shows of the author.
                private = [item for outcome in read.values() if not outcome.public for item in outcome.items]
                self._fill_profiles(account, private)
        except Exception as exc:  # noqa: BLE001 - names are optional: the messages still land
            _logger.info("social_crm: profiles for account %s not filled: %s", account.id, exc)
        try:
            self._ingest(account, list(read.values()))
        except Exception as exc:  # one of them is bad: each alone, so that only that one fails
            if len(read) == 1:
                self._give_up_or_retry(account, read, exc)
                return
            _logger.info("social_crm: batch of account %s failed (%s); events one by one", account.id, exc)
            for event, outcome in list(read.items()):
                try:
                    self._ingest(account, [outcome])
                except Exception as event_exc:  # noqa: BLE001 - recorded on the event, retried later
                    self._give_up_or_retry(account, {event: outcome}, event_exc)
                    del read[event]
        self._mark_done({event: outcomes[event] for event in read})

    @api.model
    def _read_lookups(self, client, outcome):
        """The items an event names only by id, read from the network; a post deleted meanwhile is nothing
        to store (the event is done, with the reason)."""
        try:
            return client.read_lookups(outcome.lookups)
        except api_errors.NotFound as exc:
            outcome.ignored = f"gone from the network before it was read ({exc})"
            return []

    def _ingest(self, account, outcomes):
        with self.env.cr.savepoint():
            items = [item for outcome in outcomes for item in outcome.items]
            deleted = [external_id for outcome in outcomes for external_id in outcome.deleted_ids]
            if items:
                self.env["social_crm.mention"]._ingest_items(account, items)
            if deleted:
                self.env["social_crm.mention"]._mark_deleted(account, self._with_edits(account, deleted))

    @api.model
    def _with_edits(self, account, external_ids):
        """The ids and those of the edits kept next to them (``<id>:edit:...``, answering ``<id>``): a post its
        author deleted takes its edits along. Two indexed queries: the posts, then their conversations."""
        Mention = self.env["social_crm.mention"].sudo()
        threads = Mention.search_fetch(
            [("account_id", "=", account.id), ("external_id", "in", list(external_ids))], ["thread_id"]
        ).thread_id
        if not threads:
            return list(external_ids)
        edits = Mention.search_fetch(
            [("thread_id", "in", threads.ids), ("parent_external_id", "in", list(external_ids))], ["external_id"]
        )
        wanted = set(external_ids)
        return list(external_ids) + [
            edit.external_id
            for edit in edits
            if ":edit:" in edit.external_id and edit.external_id.partition(":edit:")[0] in wanted
        ]

    def _give_up_or_retry(self, account, read, exc):
        for event in read:
            _logger.info("social_crm: event %s of account %s failed: %s", event.event_id, account.id, exc, exc_info=exc)
            event._fail(exc)

    def _mark_done(self, outcomes):
        """One write per distinct (outcome, attempts), not one per event."""
        groups = defaultdict(lambda: self.browse())
        for event, outcome in outcomes.items():
            groups[(outcome, event.attempts + 1)] |= event
        for (outcome, attempts), events in groups.items():
            events.write(
                {"state": "done", "error": False, "outcome": outcome, "attempts": attempts, "next_attempt_at": False}
            )

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
                "error": storable(f"{type(exc).__name__}: {exc}")[:2000],
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
        known = {
            identity.external_id: identity.name
            for identity in self.env["social_crm.identity"]
            .sudo()
            .search_fetch(
                [
                    ("network", "=", account.network),
                    ("company_id", "=", account.company_id.id),
                    ("external_id", "in", list(missing)),
                    ("name", "!=", False),
                ],
                ["external_id", "name"],
            )
        }
        for item in items:  # a known customer's next messages carry the name too (not "Unknown author")
            if item.author and not item.author.name and item.author.external_id in known:
                item.author.name = known[item.author.external_id]
        todo = [external_id for external_id in missing if external_id not in known][:PROFILES_PER_BATCH]
        if not todo:
            return
        client = account._get_client()
        for external_id in todo:
            try:
                # A profile answer is a stranger's text too (display name, status message).
                profile = scrub_fields(client.profile(external_id))
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


@contextmanager
def _lower_priority(enabled):
    """Run the block at ``CRON_NICE`` more niceness for this thread (Linux: a thread is a task).

    The priority is put back afterwards where the process may (root, or ``RLIMIT_NICE``); where it
    may not, the cron worker thread stays nicer, which suits background work.
    """
    task, before = None, None
    if enabled and hasattr(os, "setpriority"):
        task = threading.get_native_id()
        try:
            before = os.getpriority(os.PRIO_PROCESS, task)
            os.setpriority(os.PRIO_PROCESS, task, min(before + CRON_NICE, 19))
        except OSError:
            before = None
    try:
        yield
    finally:
        if before is not None:
            try:
                os.setpriority(os.PRIO_PROCESS, task, before)
            except OSError:
                pass
