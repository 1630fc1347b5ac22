# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Personal data: erase a person on request, keep mentions only as long as policy allows, export, network deletions.

Everything the addon does for privacy lives here. A person's strings are found
by a ``PersonText`` (their identifiers and their own words) and scrubbed from
every place the addon stores text, in one UPDATE per model.
"""

import base64
import csv
import hashlib
import hmac
import io
import json
import logging
import os
import re
import threading
import zipfile
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, html2plaintext

from ..connectors import errors as api_errors
from ..tools.contact_keys import handle_keys
from .selections import RETENTION_PARAM

_logger = logging.getLogger(__name__)

RETENTION_BATCH = 1000
ERASED_PREFIX = "erased:"
# A title or a conversation name is cut from the start of a post: this much of the start is enough to recognize it.
WORDS_PREFIX = 40
# Models whose chatter may quote a person (posted by the addon or by agents answering them).
CHATTER_MODELS = (
    "helpdesk.ticket",
    "social_crm.thread",
    "social_crm.reply",
    "social_crm.mention",
    "social_crm.identity",
)
REPLY_TEXT_FIELDS = ("body", "approved_body", "reject_reason", "error_message")
TRACKING_TEXT_FIELDS = ("old_value_char", "new_value_char", "old_value_text", "new_value_text")
PENDING_REPLY_STATES = ("draft", "to_approve", "posting")
# Posts of the last days are re-checked for deletion on the network, a bounded batch per fetch (the client's
# ``deletion_batch``), the longest unchecked first.
DELETION_CHECK_DAYS = 30


def _normalize(text):
    return " ".join((text or "").split())


def _like(value):
    """An ILIKE pattern matching ``value`` anywhere, its wildcards escaped."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class PersonText:
    """What identifies a person in free text: identifiers (handle, name, links, network ids) and their own words.

    ``scrub`` replaces them inside a text written by someone else; ``quotes``
    tells whether a text was made from their words or names them, to replace a
    whole title, description or chatter message.
    """

    def __init__(self, identifiers, words, placeholder):
        self.placeholder = placeholder
        idents = sorted({i.strip() for i in identifiers if i and len(i.strip()) >= 2}, key=len, reverse=True)
        self.identifiers = idents
        self.pattern = (
            re.compile("|".join(rf"(?<!\w){re.escape(i)}(?!\w)" for i in idents), re.IGNORECASE) if idents else None
        )
        self.words = sorted({_normalize(w) for w in words if _normalize(w)}, key=len, reverse=True)
        # The start of each text is enough to recognize a title cut from it; a short text must stand as whole words.
        self.words_pattern = (
            re.compile(
                "|".join(
                    rf"(?<!\w){re.escape(w[:WORDS_PREFIX])}" + ("" if len(w) > WORDS_PREFIX else r"(?!\w)")
                    for w in self.words
                ),
                re.IGNORECASE,
            )
            if self.words
            else None
        )

    def __bool__(self):
        return bool(self.identifiers or self.words)

    def like_patterns(self):
        """ILIKE patterns that find candidate rows in one query (checked precisely in Python afterwards)."""
        return [_like(i) for i in self.identifiers] + [_like(w[:WORDS_PREFIX]) for w in self.words]

    def quotes(self, text):
        plain = _normalize(text)
        if not plain:
            return False
        if self.words_pattern and self.words_pattern.search(plain):
            return True
        return bool(self.pattern and self.pattern.search(plain))

    def quotes_html(self, html):
        return bool(html) and self.quotes(html2plaintext(str(html)))

    def scrub(self, text):
        """The text with the person's words and identifiers replaced; False stays False."""
        if not text:
            return text
        result = text
        if self.words_pattern and self.words_pattern.search(_normalize(result)):
            result = self._replace_quotes(_normalize(result))
        if self.pattern:
            result = self.pattern.sub(self.placeholder, result)
        return result

    def _replace_quotes(self, text):
        """Replace each quote of the person's words: from where one of their texts starts, as far as it matches."""
        parts, pos = [], 0
        while match := self.words_pattern.search(text, pos):
            start = match.start()
            rest = text[start:].lower()
            length = max(len(os.path.commonprefix([rest, w.lower()])) for w in self.words)
            parts += [text[pos:start], self.placeholder]
            pos = start + max(length, 1)
        return "".join(parts) + text[pos:]

    def scrub_data(self, value):
        """The same inside JSON data (network payloads kept to answer a post)."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_data(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub_data(v) for k, v in value.items()}
        return value


def update_rows(model, rows, fnames):
    """One UPDATE for ``rows`` [(id, {field: value})] of ``model``, whose values differ row by row.

    Done in SQL on purpose: an ORM write would track the old text into the chatter.
    """
    if not rows:
        return
    model.flush_model(fnames)
    empty = model.browse()
    arrays = [SQL("%s::int[]", [row_id for row_id, _vals in rows])]
    for fname in fnames:
        field = model._fields[fname]
        values = [field.convert_to_column(vals[fname], empty) for _row_id, vals in rows]
        arrays.append(SQL("%s::%s[]", values, SQL(field.column_type[1])))
    model.env.cr.execute(
        SQL(
            "UPDATE %s t SET %s, write_date = now() AT TIME ZONE 'UTC' FROM unnest(%s) AS v(id, %s) WHERE t.id = v.id",
            SQL.identifier(model._table),
            SQL(", ").join(SQL("%s = v.%s", SQL.identifier(f), SQL.identifier(f)) for f in fnames),
            SQL(", ").join(arrays),
            SQL(", ").join(SQL.identifier(f) for f in fnames),
        )
    )
    model.invalidate_model(fnames)


class SocialCrmIdentity(models.Model):
    _inherit = "social_crm.identity"

    erased_at = fields.Datetime(string="Erased on", readonly=True, copy=False)
    erased_by_id = fields.Many2one("res.users", string="Erased by", readonly=True, copy=False)

    def _compute_display_name(self):
        res = super()._compute_display_name()
        for identity in self.filtered("erased_at"):
            identity.display_name = self.env._("[erased on request]")
        return res

    @api.model
    def _check_privacy_manager(self):
        if not self.env.user.has_group("social_crm.group_social_manager"):
            raise AccessError(_("Only Social CRM managers can erase or export a person's social data."))

    def action_open_erase_wizard(self):
        self._check_privacy_manager()
        return {
            "type": "ir.actions.act_window",
            "name": _("Erase personal data"),
            "res_model": "social_crm.erase.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_identity_ids": self.ids},
        }

    def _privacy_scope(self):
        """The records that hold this person's data: {own mentions, conversations, tickets, replies}."""
        identities = self.sudo()
        Mention = self.env["social_crm.mention"].sudo()
        own = Mention.search([("identity_id", "in", identities.ids)])
        threads = own.thread_id | self.env["social_crm.thread"].sudo().search([("identity_id", "in", identities.ids)])
        tickets = (
            own.ticket_id
            | threads.ticket_id
            | self.env["helpdesk.ticket"].sudo().search([("social_thread_id", "in", threads.ids)])
        )
        replies = (
            self.env["social_crm.reply"]
            .sudo()
            .search(["|", ("thread_id", "in", threads.ids), ("parent_mention_id", "in", own.ids)])
        )
        return {"mentions": own, "threads": threads, "tickets": tickets, "replies": replies}

    def _person_text(self, mentions):
        identifiers = []
        for identity in self:
            identifiers += [identity.name, identity.profile_url, identity.avatar_url, identity.external_id]
            if identity.handle:
                handle = identity.handle.lstrip("@")
                identifiers += [handle, "@" + handle]
        for mention in mentions:
            identifiers += [mention.author_name, mention.author_handle, mention.url, mention.external_id]
        words = [m.body for m in mentions] + [i.bio for i in self]
        return PersonText(identifiers, words, self.env._("[erased on request]"))

    def action_erase(self):
        """Erase these people's social data; tickets and counts stay, their text becomes a placeholder.

        Managers only. Idempotent: identities already erased are left as they are.
        Returns the number of identities erased.
        """
        self._check_privacy_manager()
        return self._privacy_erase()

    def _privacy_erase(self, requested_by=None):
        """What ``action_erase`` does, without the access check: callers check who may ask.

        ``requested_by``: who asked, in words, when it is not the current user (a network's callback);
        it is written in the audit instead of the user's name.
        """
        identities = self.sudo().filtered(lambda i: not i.erased_at)
        if not identities:
            return 0
        scope = identities._privacy_scope()
        own = scope["mentions"]
        person = identities._person_text(own)
        placeholder = person.placeholder
        labels = [(identity.name, identity.handle) for identity in identities]
        counts = (
            self.env["social_crm.mention"]
            .with_context(privacy_companies=identities.company_id.ids)
            ._privacy_scrub(person, scope["threads"], scope["tickets"], scope["replies"], own)
        )
        own.write(
            {
                "body": placeholder,
                "author_name": False,
                "author_handle": False,
                "url": False,
                "external_data": False,
            }
        )
        own._privacy_pseudonymize_ids()
        started = scope["threads"].filtered(lambda t: t.identity_id in identities)
        started.write({"name": placeholder, "url": False})
        identities._privacy_clear_partner_handles()
        identities.write(
            {
                "handle": False,
                "name": False,
                "profile_url": False,
                "avatar_url": False,
                "bio": False,
                "followers": 0,
                "partner_id": False,
                "suggested_partner_id": False,
                "match_confidence": 0,
                "match_reason": False,
                "rejected_partner_ids": [(5, 0, 0)],
                "erased_at": fields.Datetime.now(),
                "erased_by_id": False if requested_by else self.env.user.id,
            }
        )
        identities._privacy_pseudonymize_ids()
        identities._privacy_audit(own, scope, counts, labels, requested_by)
        return len(identities)

    def _privacy_pseudonymize_ids(self):
        """Replace the network ids (a Bluesky DID names the person) by a keyed hash: one UPDATE."""
        update_rows(
            self,
            [
                (
                    identity.id,
                    {
                        "external_id": self.env["social_crm.mention"]._privacy_hash(
                            identity.network, identity.external_id
                        )
                    },
                )
                for identity in self
                if not identity.external_id.startswith(ERASED_PREFIX)
            ],
            ["external_id"],
        )

    def _privacy_clear_partner_handles(self):
        """Remove the erased handles from the contacts' "Social handles" field."""
        handles = {i.handle.lstrip("@").casefold() for i in self if i.handle}
        if not handles:
            return
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search(["|"] * (len(handles) - 1) + [("social_handles", "ilike", handle) for handle in handles])
        )
        rows = []
        for partner in partners:
            kept = [
                h
                for h in re.split(r"[,\s]+", partner.social_handles or "")
                if h and h.lstrip("@").casefold() not in handles
            ]
            kept = ", ".join(kept) or False
            # the matching keys are a copy of the handles: erased with them
            rows.append((partner.id, {"social_handles": kept, "social_handle_keys": handle_keys(kept) or False}))
        update_rows(self.env["res.partner"], rows, ["social_handles", "social_handle_keys"])

    def _privacy_audit(self, mentions, scope, counts, labels, requested_by=None):
        """Who erased what and when, without the erased data: a privacy log and a note on tickets and threads."""
        networks = dict(self._fields["network"].selection)
        details = self.env._(
            "Social data erased on request: %(identities)s identities, %(mentions)s mentions, "
            "%(threads)s conversations, %(tickets)s tickets, %(replies)s replies, %(messages)s chatter messages.",
            identities=len(self),
            mentions=len(mentions),
            threads=len(scope["threads"]),
            tickets=counts["tickets"],
            replies=counts["replies"],
            messages=counts["messages"],
        )
        records = "\n".join(
            f"{model} ({len(recs)}): " + ", ".join(f"#{rid}" for rid in recs.ids)
            for model, recs in (
                ("social_crm.identity", self),
                ("social_crm.mention", mentions),
                ("social_crm.thread", scope["threads"]),
                ("helpdesk.ticket", scope["tickets"]),
            )
            if recs
        )
        if requested_by:
            details = f"{details} ({requested_by})"
        self.env["privacy.log"].sudo().create(
            [
                self._privacy_log_vals(identity, name, handle, networks, details, records)
                for identity, (name, handle) in zip(self, labels, strict=True)
            ]
        )
        if requested_by:
            text = self.env._(
                "Personal data of an author erased, %(requested_by)s; the texts were replaced, the counts kept.",
                requested_by=requested_by,
            )
        else:
            text = self.env._(
                "Personal data of an author erased on request by %(user)s; the texts were replaced, the counts kept.",
                user=self.env.user.name,
            )
        note = Markup("<p>%s</p>") % text
        for records_to_note in (scope["tickets"], scope["threads"]):
            if records_to_note:
                records_to_note.sudo()._message_log_batch(
                    dict.fromkeys(records_to_note.ids, note), author_id=self.env.user.partner_id.id
                )

    def _privacy_log_vals(self, identity, name, handle, networks, details, records):
        network = networks.get(identity.network, identity.network)
        return {
            # privacy.log keeps only the first letter of each word, as Odoo's own Privacy Lookup does.
            "anonymized_name": name or handle or network,
            "anonymized_email": f"{(handle or name or 'unknown').lstrip('@').replace('@', '.')}@{identity.network}",
            "execution_details": details,
            "records_description": records,
            "additional_note": self.env._("Social identity #%(id)s on %(network)s", id=identity.id, network=network),
        }

    def action_export_social_data(self):
        """A zip with a JSON file and one CSV per kind of record: every identity, mention, conversation and reply."""
        self._check_privacy_manager()
        return self.env["social_crm.mention"]._privacy_export(self.sudo(), self.env["social_crm.mention"], self[:1])


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_export_social_data(self):
        self.ensure_one()
        self.env["social_crm.identity"]._check_privacy_manager()
        mentions = self.env["social_crm.mention"].sudo().search([("partner_id", "=", self.id)])
        return self.env["social_crm.mention"]._privacy_export(self.sudo().social_identity_ids, mentions, self)

    def action_open_social_erase_wizard(self):
        self.ensure_one()
        return self.sudo().social_identity_ids.with_env(self.env).action_open_erase_wizard()


class SocialCrmMention(models.Model):
    _inherit = "social_crm.mention"

    deleted_on_network = fields.Boolean(
        readonly=True, copy=False, help="Its author deleted it on the network: its text and link were removed here."
    )
    deletion_checked_at = fields.Datetime(
        string="Checked on the network", readonly=True, copy=False, help="When the fetch last found it still online."
    )

    # ------------------------------------------------------------------
    # Shared scrubbing
    # ------------------------------------------------------------------

    @api.model
    def _privacy_hash(self, scope, external_id):
        """A keyed hash of a network id: still unique, no longer pointing at anyone on the network."""
        key = self.env["ir.config_parameter"].sudo().get_param("database.secret", "").encode()
        digest = hmac.new(key, f"{scope}:{external_id}".encode(), hashlib.sha256).hexdigest()[:40]
        return ERASED_PREFIX + digest

    def _privacy_pseudonymize_ids(self):
        """Hash these mentions' network ids, and every reference to them (parents, roots, conversations): 4 UPDATEs."""
        mentions = self.filtered(lambda m: not m.external_id.startswith(ERASED_PREFIX))
        if not mentions:
            return
        old = [m.external_id for m in mentions]
        new = [self._privacy_hash(m.account_id.id, m.external_id) for m in mentions]
        accounts = [m.account_id.id for m in mentions]
        self.flush_model()
        self.env["social_crm.thread"].flush_model(["root_external_id"])
        mapping = SQL("unnest(%s::int[], %s::varchar[], %s::varchar[]) AS v(account_id, old, new)", accounts, old, new)
        for table, column in (
            ("social_crm_mention", "external_id"),
            ("social_crm_mention", "parent_external_id"),
            ("social_crm_mention", "root_external_id"),
            ("social_crm_thread", "root_external_id"),
        ):
            self.env.cr.execute(
                SQL(
                    "UPDATE %s t SET %s = v.new FROM %s WHERE t.account_id = v.account_id AND t.%s = v.old",
                    SQL.identifier(table),
                    SQL.identifier(column),
                    mapping,
                    SQL.identifier(column),
                )
            )
        self.invalidate_model(["external_id", "parent_external_id", "root_external_id"])
        self.env["social_crm.thread"].invalidate_model(["root_external_id"])

    @api.model
    def _unique_new_items(self, account, items):
        """A post erased here (its id hashed) is not stored again when a later fetch sees it."""
        items = super()._unique_new_items(account, items)
        if not items:
            return items
        hashes = {self._privacy_hash(account.id, item.external_id): item.external_id for item in items}
        erased = self.sudo().search_fetch(
            [("account_id", "=", account.id), ("external_id", "in", list(hashes))], ["external_id"]
        )
        skipped = {hashes[m.external_id] for m in erased}
        return [item for item in items if item.external_id not in skipped]

    @api.model
    def _privacy_candidates(self, model, person, fnames, domain=None):
        """Records of ``model`` whose text fields may hold the person's strings: one ILIKE ANY query.

        ``self.env.context["privacy_companies"]`` (ids), when set, keeps only records of those companies:
        one company's erasure or deletion never rewrites another company's records."""
        patterns = person.like_patterns()
        if not patterns:
            return model.browse()
        model.flush_model(fnames)
        conditions = SQL(" OR ").join(
            SQL("%s::text ILIKE ANY(%s)", SQL.identifier(fname), patterns) for fname in fnames
        )
        model.env.cr.execute(SQL("SELECT id FROM %s WHERE %s", SQL.identifier(model._table), conditions))
        records = model.browse([row[0] for row in model.env.cr.fetchall()])
        company_ids = self.env.context.get("privacy_companies")
        if company_ids and "company_id" in model._fields:
            domain = list(domain or []) + [("company_id", "in", company_ids)]
        return records.filtered_domain(domain) if domain and records else records

    @api.model
    def _privacy_scrub(self, person, threads, tickets, replies, own):
        """Scrub the person's strings from everything the addon stores around them, one UPDATE per model.

        ``own`` are the person's own mentions (their text is replaced by the caller).
        Returns {"tickets": n, "replies": n, "messages": n, "mentions": n} changed.
        """
        counts = dict.fromkeys(("tickets", "replies", "messages", "mentions"), 0)
        if not person:
            return counts
        placeholder = person.placeholder
        Mention = self.sudo()
        # Other people's mentions that answer, quote or name the person (texts kept, their strings replaced).
        others = (
            Mention.search([("thread_id", "in", threads.ids)])
            | self._privacy_candidates(Mention, person, ["body", "external_data", "url"])
        ) - own
        rows = []
        for mention in others:
            vals = {
                "body": person.scrub(mention.body),
                "external_data": person.scrub_data(mention.external_data),
                "url": False if person.quotes(mention.url or "") else mention.url,
            }
            if any(vals[f] != mention[f] for f in vals):
                rows.append((mention.id, vals))
        update_rows(Mention, rows, ["body", "external_data", "url"])
        counts["mentions"] = len(rows)
        # Conversations: names and links made from their words.
        Thread = self.env["social_crm.thread"].sudo()
        threads = threads | self._privacy_candidates(Thread, person, ["name", "url"])
        update_rows(
            Thread,
            [
                (
                    t.id,
                    {
                        "name": placeholder if person.quotes(t.name) else t.name,
                        "url": False if person.quotes(t.url or "") else t.url,
                    },
                )
                for t in threads
                if person.quotes(t.name or "") or person.quotes(t.url or "")
            ],
            ["name", "url"],
        )
        # Tickets: titles and descriptions made from their posts; the ticket itself stays.
        Ticket = self.env["helpdesk.ticket"].sudo()
        tickets = tickets | self._privacy_candidates(
            Ticket, person, ["name", "description", "partner_name"], [("social_thread_id", "!=", False)]
        )
        rows = []
        for ticket in tickets:
            vals = {"name": ticket.name, "description": ticket.description, "partner_name": ticket.partner_name}
            if person.quotes(ticket.name or ""):
                network = ticket.social_thread_id.account_id._network_label() if ticket.social_thread_id else ""
                vals["name"] = (
                    self.env._("%(network)s: %(title)s", network=network, title=placeholder) if network else placeholder
                )
            if person.quotes_html(ticket.description):
                vals["description"] = Markup("<p>%s</p>") % placeholder
            if person.quotes(ticket.partner_name or ""):
                vals["partner_name"] = False
            if vals != {"name": ticket.name, "description": ticket.description, "partner_name": ticket.partner_name}:
                rows.append((ticket.id, vals))
        update_rows(Ticket, rows, ["name", "description", "partner_name"])
        counts["tickets"] = len(rows)
        # Replies written by agents: their words stay, the person's name and quotes go.
        Reply = self.env["social_crm.reply"].sudo()
        replies = replies | self._privacy_candidates(Reply, person, list(REPLY_TEXT_FIELDS))
        rows = []
        for reply in replies:
            vals = {f: person.scrub(reply[f]) for f in REPLY_TEXT_FIELDS}
            if any(vals[f] != reply[f] for f in REPLY_TEXT_FIELDS):
                rows.append((reply.id, vals))
        update_rows(Reply, rows, list(REPLY_TEXT_FIELDS))
        counts["replies"] = len(rows)
        counts["messages"] = self._privacy_scrub_chatter(person, threads, tickets, replies)
        return counts

    @api.model
    def _privacy_in_companies(self, messages):
        """The chatter messages among ``messages`` whose record belongs to the companies in scope."""
        company_ids = self.env.context.get("privacy_companies")
        if not company_ids or not messages:
            return messages
        kept = messages.browse()
        for model in set(messages.mapped("model")):
            of_model = messages.filtered(lambda m, model=model: m.model == model)
            records = self.env[model].sudo().browse(of_model.mapped("res_id")).exists()
            if "company_id" in records._fields:
                records = records.filtered(lambda r: r.company_id.id in company_ids)
            kept |= of_model.filtered(lambda m, ids=set(records.ids): m.res_id in ids)
        return kept

    @api.model
    def _privacy_scrub_chatter(self, person, threads, tickets, replies):
        """Chatter messages and tracked values that quote or name the person: replaced as a whole."""
        Message = self.env["mail.message"].sudo()
        related = [
            ("helpdesk.ticket", tickets.ids),
            ("social_crm.thread", threads.ids),
            ("social_crm.reply", replies.ids),
        ]
        domain = ["|"] * (len(related) - 1)
        for model, ids in related:
            domain += ["&", ("model", "=", model), ("res_id", "in", ids)]
        quoting = self._privacy_candidates(
            Message, person, ["body", "subject", "record_name"], [("model", "in", CHATTER_MODELS)]
        )
        messages = Message.search(domain) | self._privacy_in_companies(quoting)
        note = Markup("<p>%s</p>") % person.placeholder
        rows = []
        for message in messages:
            vals = {
                "body": note if person.quotes_html(message.body) else message.body,
                "subject": person.placeholder if person.quotes(message.subject or "") else message.subject,
                "record_name": person.placeholder if person.quotes(message.record_name or "") else message.record_name,
            }
            if any(vals[f] != message[f] for f in vals):
                rows.append((message.id, vals))
        update_rows(Message, rows, ["body", "subject", "record_name"])
        Tracking = self.env["mail.tracking.value"].sudo()
        quoting = self._privacy_candidates(
            Tracking, person, list(TRACKING_TEXT_FIELDS), [("mail_message_id.model", "in", CHATTER_MODELS)]
        )
        in_scope = self._privacy_in_companies(quoting.mail_message_id)
        values = Tracking.search([("mail_message_id", "in", messages.ids)]) | quoting.filtered(
            lambda value: value.mail_message_id in in_scope
        )
        tracking_rows = []
        for value in values:
            vals = {f: person.placeholder if person.quotes(value[f] or "") else value[f] for f in TRACKING_TEXT_FIELDS}
            if any(vals[f] != value[f] for f in TRACKING_TEXT_FIELDS):
                tracking_rows.append((value.id, vals))
        update_rows(Tracking, tracking_rows, list(TRACKING_TEXT_FIELDS))
        return len(rows) + len(tracking_rows)

    # ------------------------------------------------------------------
    # Deletions on the networks
    # ------------------------------------------------------------------

    @api.model
    def _mark_deleted(self, account, external_ids):
        """Posts their authors deleted on the network: text, link and payload removed here, counts kept.

        The fetch (or a webhook) calls it with the ids the network reported
        deleted. Titles, descriptions and chatter messages made from those
        posts are replaced too. Returns the mentions marked.
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
        person = PersonText([m.url for m in mentions], [m.body for m in mentions], placeholder)
        threads = mentions.thread_id
        tickets = mentions.ticket_id | threads.ticket_id
        replies = self.env["social_crm.reply"].sudo().search([("parent_mention_id", "in", mentions.ids)])
        self.with_context(privacy_companies=account.company_id.ids)._privacy_scrub(
            person, threads, tickets, replies, mentions
        )
        mentions.write({"body": placeholder, "url": False, "external_data": False, "deleted_on_network": True})
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

    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------

    @api.model
    def _retention_days(self):
        """Days mentions are kept, or None to keep them forever (parameter empty, absent or not a number).

        0 keeps nothing: every mention not needed by an open ticket goes at the next run.
        """
        value = (self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM) or "").strip()
        try:
            days = int(value)
        except ValueError:
            return None
        return max(days, 0)

    @api.model
    def _retention_domain(self, cutoff):
        return [
            ("posted_at", "<", cutoff),
            "|",
            ("ticket_id", "=", False),
            ("ticket_id.stage_id.closed", "=", True),
            "|",
            ("thread_id", "=", False),
            "|",
            ("thread_id.ticket_id", "=", False),
            ("thread_id.ticket_id.stage_id.closed", "=", True),
        ]

    @api.model
    def _cron_apply_retention(self, batch_size=RETENTION_BATCH):
        """Delete one bounded batch of mentions older than the retention period; returns how many went.

        Mentions of tickets still open stay (with the rest of their conversation),
        so do mentions a reply in progress answers. Conversations left empty and
        identities left without mention or contact go too. Commits per batch
        outside tests; reports progress so the scheduler runs the next batch.
        """
        days = self._retention_days()
        cron = self.env["ir.cron"]
        if days is None:
            cron._notify_progress(done=0, remaining=0)
            return 0
        domain = self._retention_domain(fields.Datetime.now() - timedelta(days=days))
        Mention = self.sudo().with_context(active_test=False)
        batch = Mention.search(domain, order="posted_at, id", limit=batch_size)
        answered = (
            self.env["social_crm.reply"]
            .sudo()
            .search([("parent_mention_id", "in", batch.ids), ("state", "in", PENDING_REPLY_STATES)])
            .parent_mention_id
        )
        batch -= answered
        if not batch:
            cron._notify_progress(done=0, remaining=0)
            return 0
        threads, identities = batch.thread_id, batch.identity_id
        count = len(batch)
        batch.unlink()
        Thread = self.env["social_crm.thread"].sudo()
        Thread.search([("id", "in", threads.ids), ("mention_ids", "=", False)]).unlink()
        threads.exists()._refresh_stats()
        self.env["social_crm.identity"].sudo().search(
            [
                ("id", "in", identities.ids),
                ("mention_ids", "=", False),
                ("partner_id", "=", False),
                ("is_brand", "=", False),
            ]
        ).unlink()
        remaining = Mention.search_count(domain + [("id", "not in", answered.ids)])
        if not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit
        cron._notify_progress(done=count, remaining=remaining)
        return count

    # ------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------

    @api.model
    def _privacy_export(self, identities, mentions, owner):
        """Build the export file of these identities (and extra mentions) as an attachment of ``owner``."""
        mentions = mentions | self.sudo().search([("identity_id", "in", identities.ids)])
        threads = mentions.thread_id | self.env["social_crm.thread"].sudo().search(
            [("identity_id", "in", identities.ids)]
        )
        mentions |= self.sudo().search([("thread_id", "in", threads.ids)])
        replies = (
            self.env["social_crm.reply"]
            .sudo()
            .search(["|", ("thread_id", "in", threads.ids), ("parent_mention_id", "in", mentions.ids)])
        )
        tables = {
            "identities": (
                identities,
                [
                    "network",
                    "external_id",
                    "handle",
                    "name",
                    "profile_url",
                    "avatar_url",
                    "bio",
                    "followers",
                    "partner_id",
                    "last_mention_at",
                ],
            ),
            "mentions": (
                mentions,
                [
                    "account_id",
                    "network",
                    "external_id",
                    "thread_id",
                    "identity_id",
                    "author_name",
                    "author_handle",
                    "body",
                    "url",
                    "posted_at",
                    "direction",
                    "kind",
                    "lang",
                    "sentiment",
                    "sentiment_score",
                    "intent",
                    "ticket_id",
                ],
            ),
            "conversations": (
                threads,
                ["name", "account_id", "network", "identity_id", "url", "state", "last_mention_at", "ticket_id"],
            ),
            "replies": (
                replies,
                [
                    "thread_id",
                    "parent_mention_id",
                    "body",
                    "state",
                    "author_id",
                    "approver_id",
                    "posted_at",
                    "posted_external_id",
                ],
            ),
        }
        data = {name: self._privacy_rows(records, fnames) for name, (records, fnames) in tables.items()}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("social_data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
            for name, (_records, fnames) in tables.items():
                text = io.StringIO()
                writer = csv.DictWriter(text, fieldnames=["id", *fnames])
                writer.writeheader()
                writer.writerows(data[name])
                archive.writestr(f"{name}.csv", text.getvalue())
        stamp = fields.Date.context_today(self).isoformat()
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"social-data-{owner._name.replace('.', '-')}-{owner.id}-{stamp}.zip",
                    "datas": base64.b64encode(buffer.getvalue()),
                    "mimetype": "application/zip",
                    "res_model": owner._name,
                    "res_id": owner.id,
                }
            )
        )
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    @api.model
    def _privacy_rows(self, records, fnames):
        rows = []
        for values in records.read(fnames):
            row = {}
            for key, value in values.items():
                if isinstance(value, tuple):  # many2one: (id, name)
                    value = value[1]
                row[key] = "" if value is False else value
            rows.append(row)
        return rows


class PrivacyLookupWizard(models.TransientModel):
    _inherit = "privacy.lookup.wizard"

    def _get_query(self):
        """Odoo's Privacy Lookup also finds social identities by handle, name or profile link."""
        query = super()._get_query()
        name = (self.name or "").strip()
        if not name:
            return query
        exact = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        handle = exact.lstrip("@")
        return SQL(
            """%s
            UNION ALL
            SELECT %s AS res_model_id, id AS res_id, True AS is_active
              FROM social_crm_identity
             WHERE (handle ILIKE %s OR handle ILIKE %s OR name ILIKE %s
                    OR profile_url ILIKE %s OR profile_url ILIKE %s)
               AND (partner_id IS NULL OR partner_id NOT IN (SELECT id FROM indirect_references))""",
            query,
            self.env["ir.model"]._get_id("social_crm.identity"),
            handle,
            "@" + handle,
            exact,
            exact,
            "%/" + handle,
        )


class PrivacyLookupWizardLine(models.TransientModel):
    _inherit = "privacy.lookup.wizard.line"

    def action_unlink(self):
        """Deleting a social identity from the Privacy Lookup first erases its words everywhere."""
        self.ensure_one()
        if self.res_model == "social_crm.identity" and not self.is_unlinked:
            self.env["social_crm.identity"].browse(self.res_id).exists().action_erase()
        return super().action_unlink()
