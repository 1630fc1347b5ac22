# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import threading
from datetime import UTC, timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError

from ..connectors import errors as api_errors
from ..tools import training_files
from ..tools.access import checked_sudo
from ..tools.bulk_sql import insert_rows, update_rows
from ..tools.titles import shorten
from .selections import DIRECTIONS, INTENTS, NLP_STATES, SENTIMENTS, VISIBILITIES

_logger = logging.getLogger(__name__)
_ANALYSIS_HEALTH = {"ok": True}  # per process: log a broken model's traceback once

CORRECTED_SCORES = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
BODY_MAX = 100_000
NLP_BATCH = 500
# A failed analysis waits 5, 10, 20 ... minutes (at most a day) before it is tried again.
NLP_RETRY_BASE = timedelta(minutes=5)
NLP_RETRY_MAX = timedelta(days=1)
# Columns the analysis writes, in one UPDATE per batch.
NLP_COLUMNS = (
    "lang",
    "sentiment",
    "sentiment_score",
    "intent",
    "nlp_state",
    "nlp_model",
    "nlp_rescored",
    "nlp_attempts",
    "nlp_retry_at",
)


class SocialCrmMention(models.Model):
    _name = "social_crm.mention"
    _description = "Social Mention"
    _order = "posted_at desc, id desc"
    _rec_name = "summary"
    _check_company_auto = True
    # ``summary`` is computed, not stored: searching by name looks in what it is made of.
    _rec_names_search = ["body", "author_name", "author_handle"]

    account_id = fields.Many2one(
        "social_crm.account", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    network = fields.Selection(related="account_id.network", store=True, index=True)
    hidden_on_network = fields.Boolean(
        compute="_compute_hidden_on_network", help="Hidden on the network by the brand (TikTok comments)."
    )
    external_id = fields.Char(required=True, readonly=True)
    parent_external_id = fields.Char(readonly=True)
    root_external_id = fields.Char(readonly=True)
    thread_id = fields.Many2one("social_crm.thread", index=True, ondelete="set null", check_company=True)
    parent_id = fields.Many2one("social_crm.mention", string="In reply to", index="btree_not_null", ondelete="set null")
    identity_id = fields.Many2one(
        "social_crm.identity", string="Author", index=True, ondelete="set null", check_company=True
    )
    partner_id = fields.Many2one(related="identity_id.partner_id", store=True, index="btree_not_null", string="Contact")
    author_name = fields.Char(readonly=True)
    author_handle = fields.Char(readonly=True)
    # Trigram: an erasure finds the company's posts naming a person's @handle or profile link without a scan.
    body = fields.Text(readonly=True, index="trigram")
    summary = fields.Char(compute="_compute_summary")
    url = fields.Char(string="Link", readonly=True)
    posted_at = fields.Datetime(required=True, index=True, readonly=True)
    direction = fields.Selection(DIRECTIONS, required=True, default="inbound", index=True)
    kind = fields.Selection(
        [("mention", "Mention"), ("reply", "Reply"), ("quote", "Quote"), ("comment", "Comment"), ("post", "Post")],
        default="mention",
    )
    lang = fields.Char(string="Language", index=True, help="ISO 639-1 code")
    sentiment = fields.Selection(SENTIMENTS, index=True)
    sentiment_score = fields.Float(aggregator="avg", digits=(3, 2))
    intent = fields.Selection(INTENTS, index=True)
    nlp_state = fields.Selection(NLP_STATES, default="pending", index=True, string="Analysis")
    nlp_model = fields.Char(string="Scored by", readonly=True)
    nlp_rescored = fields.Boolean(
        readonly=True, copy=False, help="The background pass looked at it: no better model is left for this text."
    )
    nlp_attempts = fields.Integer(string="Failed analyses", readonly=True, copy=False)
    nlp_retry_at = fields.Datetime(string="Next analysis attempt", readonly=True, copy=False, index="btree_not_null")
    corrected_by_id = fields.Many2one("res.users", string="Corrected by", readonly=True, copy=False)
    corrected_at = fields.Datetime(readonly=True, copy=False)
    is_routed = fields.Boolean(
        string="Routed",
        readonly=True,
        copy=False,
        help="The ticket rules were applied to it (once its analysis was done).",
    )
    ticket_id = fields.Many2one(
        "helpdesk.ticket", index="btree_not_null", ondelete="set null", copy=False, check_company=True
    )
    can_reply = fields.Boolean(related="thread_id.can_reply")
    external_data = fields.Json(readonly=True, help="Network data needed to answer this post.")
    visibility = fields.Selection(
        VISIBILITIES,
        default="public",
        required=True,
        readonly=True,
        index=True,
        help="Private messages (received by webhook) are shown to social users only, never in report samples.",
    )
    # Pictures and files people send (``external_data["media"]``), downloaded by ``social_crm.media``'s cron
    # into attachments of the mention; what could not be kept is said in ``media_note``.
    media_state = fields.Selection(
        [("pending", "Waiting for download"), ("done", "Downloaded"), ("failed", "Not available")],
        string="Media",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    media_note = fields.Text(string="About the media", readonly=True, copy=False)
    media_attempts = fields.Integer(readonly=True, copy=False)
    media_retry_at = fields.Datetime(readonly=True, copy=False)
    keyword_ids = fields.Many2many(
        "social_crm.keyword",
        "social_crm_keyword_mention_rel",
        "mention_id",
        "keyword_id",
        string="Keywords",
        readonly=True,
    )

    _sql_constraints = [
        (
            "account_external_id_uniq",
            "unique(account_id, external_id)",
            "This post was already stored for this account.",
        ),
    ]

    def _auto_init(self):
        res = super()._auto_init()
        tools.create_index(self._cr, "social_crm_mention_company_posted_idx", self._table, ["company_id", "posted_at"])
        tools.create_index(self._cr, "social_crm_mention_partner_posted_idx", self._table, ["partner_id", "posted_at"])
        return res

    def unlink(self):
        threads = self.thread_id
        res = super().unlink()
        threads.exists()._refresh_stats()  # counts, sentiment and response times stay true
        return res

    @api.depends("body", "author_name", "author_handle")
    def _compute_summary(self):
        for mention in self:
            text = shorten(mention.body, 80)
            who = mention.author_name or mention.author_handle or ""
            mention.summary = f"{who}: {text}" if who else text

    # ------------------------------------------------------------------
    # INGESTION
    # ------------------------------------------------------------------

    @api.model
    def _ingest_items(self, account, items):
        """Store one page of connector items for an account; returns the new mentions.

        Items already stored (or repeated inside the page) are skipped, so a
        re-fetch never duplicates. Everything is done in a fixed number of
        queries per page: one search for existing ids, one analysis call, one
        identity upsert, one thread upsert, one INSERT (a row stored meanwhile by
        another worker is skipped by the unique constraint, not duplicated).
        """
        # Pipeline records log nothing in the chatter and follow nobody: the conversation is the log.
        self = self.with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True, mail_notrack=True
        )
        items = self._unique_new_items(account, items)
        if not items:
            return self.browse()
        self._resolve_roots(account, items)
        identities, threads = self.env["social_crm.relate"]._relate(account, items)
        analysis = self._analyze_texts([item.text for item in items])
        vals_list = []
        for item, result in zip(items, analysis):
            identity = identities.get(item.author.external_id) if item.author else None
            root = item.root_id or item.external_id
            own = (
                item.is_own
                or (identity is not None and identity.is_brand)
                or (account.own_external_id and item.author and item.author.external_id == account.own_external_id)
            )
            vals = {
                "account_id": account.id,
                # Related stored values given at create are not recomputed: one less pass per page.
                "company_id": account.company_id.id,
                "network": account.network,
                "partner_id": identity.partner_id.id if identity else False,
                "external_id": item.external_id,
                "parent_external_id": item.parent_id or False,
                "root_external_id": root,
                "thread_id": threads[root].id,
                "identity_id": identity.id if identity else False,
                "author_name": item.author.name if item.author else False,
                "author_handle": item.author.handle if item.author else False,
                "body": (item.text or "")[:BODY_MAX],
                "url": item.url or False,
                "posted_at": self._to_naive_utc(item.posted_at),
                "direction": "outbound" if own else "inbound",
                "kind": item.kind if item.kind in dict(self._fields["kind"].selection) else "mention",
                "external_data": item.extra or False,
                "visibility": "private" if item.visibility == "private" else "public",
                "media_state": "pending" if (item.extra or {}).get("media") else False,
            }
            vals.update(self._analysis_vals(result, item.lang))
            # Claimed for the ticket rules at INSERT (see ticket.router._route_claimed); the rest waits for analysis.
            vals["is_routed"] = not own and vals["nlp_state"] != "pending"
            vals_list.append(vals)
        inserted = insert_rows(self.sudo(), vals_list, conflict=["account_id", "external_id"], key="external_id")
        mentions = self.sudo().browse([inserted[v["external_id"]] for v in vals_list if v["external_id"] in inserted])
        mentions._link_parents()
        if any(vals["media_state"] for vals in vals_list):
            self.env["social_crm.media"]._wake()
        self._touch_identities([v for v in vals_list if v["external_id"] in inserted])
        new_tickets = mentions._after_ingest()
        self.env["social_crm.thread"].browse([t.id for t in threads.values()])._refresh_stats(new_tickets)
        return mentions

    @api.model
    def _resolve_roots(self, account, items):
        """Give replies that only know their parent (Mastodon chains) the root of that parent.

        One query for the parents already stored; parents inside the batch are
        followed in memory. A parent we never saw becomes the conversation root.
        """
        pending = [item for item in items if not item.root_id and item.parent_id]
        if not pending:
            return
        in_batch = {item.external_id: item for item in items}
        stored = {
            mention.external_id: mention.root_external_id
            for mention in self.sudo().search_fetch(
                [("account_id", "=", account.id), ("external_id", "in", [i.parent_id for i in pending])],
                ["external_id", "root_external_id"],
            )
        }
        for item in pending:
            parent_id, hops = item.parent_id, 0
            while parent_id in in_batch and in_batch[parent_id].parent_id and hops < 50:
                parent = in_batch[parent_id]
                if parent.root_id:
                    break
                parent_id, hops = parent.parent_id, hops + 1
            parent = in_batch.get(parent_id)
            item.root_id = (parent and parent.root_id) or stored.get(parent_id) or parent_id

    @api.model
    def _unique_new_items(self, account, items):
        seen = set()
        unique = []
        for item in items:
            if not item.external_id or item.external_id in seen:
                continue
            seen.add(item.external_id)
            unique.append(item)
        if not unique:
            return []
        existing = set(
            self.sudo()
            .search_fetch([("account_id", "=", account.id), ("external_id", "in", list(seen))], ["external_id"])
            .mapped("external_id")
        )
        return [item for item in unique if item.external_id not in existing]

    def _link_parents(self):
        """Point each new mention at the mention it answers, when we have it."""
        if not self:
            return
        self.flush_model(["parent_external_id", "account_id", "external_id"])
        self.env.cr.execute(
            """
            UPDATE social_crm_mention child
               SET parent_id = parent.id
              FROM social_crm_mention parent
             WHERE child.id = ANY(%s)
               AND child.parent_external_id IS NOT NULL
               AND parent.account_id = child.account_id
               AND parent.external_id = child.parent_external_id
            """,
            [self.ids],
        )
        self.invalidate_model(["parent_id"])

    @api.model
    def _touch_identities(self, vals_list):
        """Move each author's last activity to their newest stored mention: one UPDATE for the page."""
        latest = {}
        for vals in vals_list:
            if vals["identity_id"] and vals["posted_at"] > latest.get(vals["identity_id"], vals["posted_at"].min):
                latest[vals["identity_id"]] = vals["posted_at"]
        update_rows(
            self.env["social_crm.identity"],
            [(identity_id, {"last_mention_at": last}) for identity_id, last in latest.items()],
            ["last_mention_at"],
            keep_greatest=["last_mention_at"],
        )

    def _after_ingest(self):
        """Keywords, contacts and tickets for new mentions; returns the tickets opened, {thread id: ticket id}."""
        self.env["social_crm.keyword"]._tag_mentions(self)
        new_identities = self.identity_id.filtered(lambda i: not i.partner_id and not i.suggested_partner_id)
        self.env["social_crm.relate"]._link_contacts(new_identities)
        return self.env["social_crm.ticket.router"]._route_claimed(self.filtered("is_routed"))

    @api.model
    def _to_naive_utc(self, value):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    @api.depends("external_data")
    def _compute_hidden_on_network(self):
        for mention in self:
            mention.hidden_on_network = bool((mention.external_data or {}).get("hidden"))

    # ------------------------------------------------------------------
    # ACTIONS: people stay in control of the machine's guesses
    # ------------------------------------------------------------------

    def action_open_correct_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Correct the analysis"),
            "res_model": "social_crm.mention.correct",
            "view_mode": "form",
            "target": "new",
            "context": {"default_mention_ids": self.ids},
        }

    def _apply_correction(self, sentiment, intent):
        """Store a person's sentiment and intent; a conversation that now needs an answer gets its ticket."""
        self.check_access("read")
        mentions = self.sudo()
        mentions.write(
            {
                "sentiment": sentiment,
                "sentiment_score": CORRECTED_SCORES[sentiment],
                "intent": intent,
                "nlp_state": "manual",
                "nlp_model": False,
                "corrected_by_id": self.env.uid,
                "corrected_at": fields.Datetime.now(),
            }
        )
        router = self.env["social_crm.ticket.router"]
        new_tickets = router._route_analyzed(mentions)
        new_tickets.update(router._route_unticketed(mentions))
        mentions.thread_id._refresh_stats(new_tickets)
        return new_tickets

    def action_create_ticket(self):
        """Open a ticket for this mention's conversation by hand, whatever the rules say."""
        self.ensure_one()
        self.check_access("read")
        self.env["helpdesk.ticket"].check_access("create")
        ticket = self.env["social_crm.ticket.router"]._create_ticket_by_hand(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": ticket.id,
            "view_mode": "form",
        }

    def action_reply(self):
        """Answer this message (not the conversation's latest one)."""
        self.ensure_one()
        return self.thread_id.action_reply(mention=self)

    def action_mark_handled(self):
        """Nothing to answer: the conversation is closed (a new message opens it again)."""
        self.check_access("read")
        self.thread_id.sudo().write({"state": "closed"})
        return True

    def action_hide_on_network(self):
        """Social Managers: hide this comment on the brand's TikTok video (only its author still sees it)."""
        return self._set_hidden_on_network(True)

    def action_unhide_on_network(self):
        return self._set_hidden_on_network(False)

    def _set_hidden_on_network(self, hidden):
        if not self.env.user.has_group("social_crm.group_social_manager"):
            raise AccessError(self.env._("Only Social Managers can hide or show comments on the network."))
        for mention in checked_sudo(self, "read"):
            data = dict(mention.external_data or {})
            if mention.network != "tiktok" or mention.direction != "inbound" or mention.visibility != "public":
                raise UserError(self.env._("Only comments received on the brand's TikTok videos can be hidden."))
            try:
                mention.account_id._get_client().hide(mention.external_id, data.get("video_id"), hidden=hidden)
            except (api_errors.SocialApiError, ValueError) as exc:
                raise UserError(
                    self.env._(
                        "%(network)s did not change the comment: %(error)s",
                        network=mention.account_id._network_label(),
                        error=mention.account_id._error_text(exc),
                    )
                ) from exc
            mention.external_data = {**data, "hidden": hidden}
        return True

    def action_export_corrections(self):
        """Managers: people's corrections as training files (one TSV per language and task, in a zip)."""
        if not self.env.user.has_group("social_crm.group_social_manager"):
            raise AccessError(self.env._("Only Social Managers can export the corrections."))
        corrected = self.search([("nlp_state", "=", "manual")])
        attachment = self.env["ir.attachment"].create(
            {
                "name": "social_crm_corrections.zip",
                "raw": training_files.corrections_zip(corrected.read(["body", "lang", "sentiment", "intent"])),
                "mimetype": "application/zip",
            }
        )
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    # ------------------------------------------------------------------
    # ANALYSIS
    # ------------------------------------------------------------------

    @api.model
    def _analyze_texts(self, texts, accurate=False):
        """Analyze texts; on failure return None per text so mentions still land.

        The first failure is logged with its traceback, the following ones in one line until analysis works again.
        """
        try:
            from ..nlp import analyze

            results = analyze(texts, accurate=accurate, **self._nlp_options(accurate))
        except Exception:
            if _ANALYSIS_HEALTH["ok"]:
                _logger.exception("social_crm: analysis failed for %s texts; they are retried later", len(texts))
            else:
                _logger.info("social_crm: analysis still failing (%s texts)", len(texts))
            _ANALYSIS_HEALTH["ok"] = False
            return [None] * len(texts)
        _ANALYSIS_HEALTH["ok"] = True
        return results

    @api.model
    def _nlp_options(self, accurate):
        if not accurate:
            return {}
        params = self.env["ir.config_parameter"].sudo()
        backend = params.get_param("social_crm.nlp_backend", "offline")
        if backend != "transformers":
            return {}
        return {
            "backend": "transformers",
            "model": params.get_param("social_crm.nlp_model") or None,
            "device": params.get_param("social_crm.nlp_device", "auto"),
            "batch_size": self.env["social_crm.params"].get_int("social_crm.nlp_batch_size") or 32,
        }

    @api.model
    def _analysis_vals(self, result, network_lang=None, accurate=False):
        if result is None:
            return {"nlp_state": "pending", "lang": network_lang or False}
        tier = getattr(result, "tier", None) or ("accurate" if accurate else "fast")
        return {
            "lang": result.lang or network_lang or False,
            "sentiment": result.sentiment,
            "sentiment_score": result.sentiment_score,
            "intent": result.intent,
            # the tier that really scored it: the accurate pass may fall back to the fast model
            "nlp_state": "accurate" if tier == "accurate" else "fast",
            "nlp_model": getattr(result, "model", False) or False,
        }

    def _analyze(self, accurate=False):
        """Analyze these mentions in one call and store the results in one UPDATE; returns those analyzed.

        A failure marks the mentions "Failed" (fast pass) or leaves the fast
        scores (accurate pass), and schedules the next attempt with a growing delay.
        """
        self = self.filtered(lambda m: m.nlp_state != "manual")  # a person's correction is never overwritten
        results = self._analyze_texts([m.body or "" for m in self], accurate=accurate)
        now = fields.Datetime.now()
        rows = []
        done = self.browse()
        for mention, result in zip(self, results):
            row = {name: mention[name] for name in NLP_COLUMNS}
            if result is None:
                attempts = mention.nlp_attempts + 1
                row.update(
                    nlp_attempts=attempts, nlp_retry_at=now + min(NLP_RETRY_BASE * 2 ** (attempts - 1), NLP_RETRY_MAX)
                )
                if not accurate:
                    row["nlp_state"] = "failed"
            else:
                row.update(
                    self._analysis_vals(result, mention.lang, accurate=accurate),
                    nlp_attempts=0,
                    nlp_retry_at=False,
                    nlp_rescored=accurate,
                )
                done |= mention
            rows.append((mention.id, row))
        self._write_analysis(rows)
        return done

    @api.model
    def _write_analysis(self, rows):
        """One UPDATE for a batch of analysis results: [(mention id, {column: value})]."""
        update_rows(self, rows, NLP_COLUMNS)

    @api.model
    def _cron_analyze(self, limit=NLP_BATCH):
        """Analyze a bounded batch: mentions never or unsuccessfully analyzed first, then re-score with the
        accurate tier. Routes what became ready to tickets. Reports only real progress, so a broken model
        does not make the cron loop; commits per batch outside tests.
        """
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        now = fields.Datetime.now()
        due = ["|", ("nlp_retry_at", "=", False), ("nlp_retry_at", "<=", now)]
        todo_domain = [("nlp_state", "in", ("pending", "failed")), *due]
        rescore_domain = [("nlp_state", "=", "fast"), ("direction", "=", "inbound"), ("nlp_rescored", "=", False), *due]
        batch = self.search(todo_domain, order="posted_at desc, id desc", limit=limit)
        rescoring = not batch
        if rescoring:
            batch = self.search(rescore_domain, order="posted_at desc, id desc", limit=limit)
        if not batch:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return 0
        router = self.env["social_crm.ticket.router"]
        if not rescoring:
            done = batch._analyze()
            new_tickets = router._route_analyzed(done)
        else:
            before = {m.id: (m.sentiment, m.intent) for m in batch}
            done = batch._analyze(accurate=True)
            changed = done.filtered(lambda m: (m.sentiment, m.intent) != before[m.id])
            # A conversation that turns negative may need a ticket; turning positive never closes one.
            new_tickets = router._route_unticketed(changed)
        done.thread_id._refresh_stats(new_tickets)
        remaining = self.search_count(todo_domain) + self.search_count(rescore_domain)
        if auto_commit:  # a bounded batch per cron call, committed
            self.env.cr.commit()  # pylint: disable=invalid-commit
        self.env["ir.cron"]._notify_progress(done=len(done), remaining=remaining if done else 0)
        return len(done)
