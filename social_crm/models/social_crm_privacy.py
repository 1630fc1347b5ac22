# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The privacy service: erase a person, export a person, on an explicit scope.

The scope is computed once from identities the caller was checked on (write to
erase, read to export, see ``tools/access.py``): the person's own records in
their company, and what was said around them. Every change stays inside it,
except the replacement of identifiers unique to the person (``@handle``,
profile link, network id) in their company's other posts, found through a
trigram index. What identifies a person lives in ``tools/person_text.py``.
"""

import base64
import hashlib
import hmac
import io
import json
import zipfile

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..tools.bulk_sql import update_rows
from ..tools.contact_keys import handle_keys
from ..tools.csv_cells import csv_text
from ..tools.person_text import PersonText, identifiers_of, like
from .selections import ERASED_PREFIX

EXPORT_PREFIX = "social-data-"
REPLY_TEXT_FIELDS = ("body", "approved_body", "reject_reason", "error_message")
TRACKING_TEXT_FIELDS = ("old_value_char", "new_value_char", "old_value_text", "new_value_text")
IDENTITY_FIELDS = ["handle", "name", "profile_url", "avatar_url", "external_id", "bio"]
MENTION_FIELDS = ["author_name", "author_handle", "url", "external_id", "body"]


class PrivacyScope:
    """One person's records in their companies, as superuser, computed once before any change.

    ``mentions``: their own posts; ``around``: the others' posts in their conversations and the answers to
    their posts; ``threads``: their conversations; ``tickets``, ``replies``, ``alerts``: those of these
    posts and conversations; ``partners``: the contacts their identities are linked to.
    """

    def __init__(self, env, identities, mentions, companies):
        Mention = env["social_crm.mention"].sudo()
        in_companies = [("company_id", "in", companies.ids)]
        self.identities = identities
        self.companies = companies
        self.mentions = mentions
        # Conversations outside the scope whose posts named one of the person's identifiers (set by the scrub).
        self.touched_threads = env["social_crm.thread"].sudo()
        self.threads = (
            env["social_crm.thread"]
            .sudo()
            .search(in_companies + ["|", ("id", "in", mentions.thread_id.ids), ("identity_id", "in", identities.ids)])
        )
        self.around = (
            Mention.search(
                in_companies + ["|", ("thread_id", "in", self.threads.ids), ("parent_id", "in", mentions.ids)]
            )
            - mentions
        )
        self.tickets = (
            env["helpdesk.ticket"]
            .sudo()
            .search(
                [("company_id", "in", [*companies.ids, False])]
                + [
                    "|",
                    ("id", "in", (mentions.ticket_id | self.threads.ticket_id).ids),
                    ("social_thread_id", "in", self.threads.ids),
                ]
            )
        )
        self.replies = (
            env["social_crm.reply"]
            .sudo()
            .search(
                in_companies + ["|", ("thread_id", "in", self.threads.ids), ("parent_mention_id", "in", mentions.ids)]
            )
        )
        self.alerts = env["social_crm.alert"].sudo().search(in_companies + [("mention_ids", "in", mentions.ids)])
        self.partners = identities.partner_id

    def chatter_records(self):
        """(model, ids) of every record whose chatter and activities belong to the scope."""
        return [
            ("helpdesk.ticket", self.tickets.ids),
            ("social_crm.thread", self.threads.ids),
            ("social_crm.reply", self.replies.ids),
            ("social_crm.mention", (self.mentions | self.around).ids),
            ("social_crm.identity", self.identities.ids),
        ]


class SocialCrmPrivacy(models.AbstractModel):
    _name = "social_crm.privacy"
    _description = "Social CRM personal data: erasure and export"

    @api.model
    def _check_manager(self):
        if not self.env.user.has_group("social_crm.group_social_manager"):
            raise AccessError(_("Only Social CRM managers can erase or export a person's social data."))

    @api.model
    def _hash(self, scope, external_id, key=None):
        """A keyed hash of a network id: still unique, no longer pointing at anyone on the network.

        ``key``: ``_hash_key()``, read once by callers hashing a batch.
        """
        key = key or self._hash_key()
        digest = hmac.new(key, f"{scope}:{external_id}".encode(), hashlib.sha256).hexdigest()[:40]
        return ERASED_PREFIX + digest

    @api.model
    def _hash_key(self):
        return self.env["ir.config_parameter"].sudo().get_param("database.secret", "").encode()

    @api.model
    def _scope(self, identities, mentions=None):
        """The scope of these identities (superuser, already checked) and extra posts of theirs."""
        identities = identities.sudo()
        mentions = (mentions or self.env["social_crm.mention"]).sudo()
        companies = identities.company_id | mentions.company_id
        if identities:
            mentions |= (
                self.env["social_crm.mention"]
                .sudo()
                .search([("identity_id", "in", identities.ids), ("company_id", "in", companies.ids)])
            )
        return PrivacyScope(self.env, identities, mentions, companies)

    # ------------------------------------------------------------------
    # Erasure
    # ------------------------------------------------------------------

    @api.model
    def _erase(self, identities, requested_by=None):
        """Erase these people's social data; tickets and counts stay, their text becomes a placeholder.

        ``identities``: superuser records the caller was checked on. ``requested_by``: who asked, in words,
        when it is not the current user (a network's callback). Idempotent. Returns the identities erased.
        """
        identities = identities.sudo().filtered(lambda i: not i.erased_at)
        if not identities:
            return 0
        scope = self._scope(identities)
        placeholder = self.env._("[erased on request]")
        unique, names, words = identifiers_of(
            identities.read(IDENTITY_FIELDS, load=None), scope.mentions.read(MENTION_FIELDS, load=None)
        )
        inside = PersonText(unique + names, words, placeholder)
        outside = PersonText(unique, [], placeholder)
        labels = [(identity.name, identity.handle) for identity in identities]
        network_ids = [(identity.network, identity.external_id) for identity in identities]
        counts = self._scrub(scope, inside, outside)
        scope.mentions.write(
            {"body": placeholder, "author_name": False, "author_handle": False, "url": False, "external_data": False}
        )
        self._pseudonymize_mentions(scope.mentions)
        counts["media"] = self.env["social_crm.media"]._erase_media(scope.mentions)
        # Conversations keep the start of their last message (the inbox): taken again from the scrubbed posts.
        (scope.threads | scope.mentions.thread_id | scope.touched_threads)._refresh_stats()
        started = scope.threads.filtered(lambda t: t.identity_id in identities)
        started.write({"name": placeholder, "url": False})
        self._scrub_alerts(scope, inside)
        self._clear_partner_handles(scope)
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
        update_rows(
            identities,
            [
                (identity.id, {"external_id": self._hash(identity.network, identity.external_id)})
                for identity in identities
                if not identity.external_id.startswith(ERASED_PREFIX)
            ],
            ["external_id"],
        )
        counts["events"] = self._delete_events(scope, network_ids)
        counts["exports"] = self._delete_exports(scope)
        self._audit(scope, counts, labels, requested_by)
        return len(identities)

    @api.model
    def _scrub(self, scope, inside, outside):
        """Replace the person's strings around their records: ``inside`` the scope their names and words too,
        ``outside`` it (their company's other posts) only their unique identifiers. One UPDATE per model.

        Returns {"mentions", "tickets", "replies", "messages"}: how many rows changed.
        """
        counts = dict.fromkeys(("tickets", "replies", "messages", "mentions"), 0)
        if not inside:
            return counts
        placeholder = inside.placeholder
        Mention = self.env["social_crm.mention"].sudo()
        # The others' posts: in the person's conversations, all of the person's strings; elsewhere in the company,
        # only those unique to them (another "Anna" stays Anna).
        elsewhere = self._mentions_naming(outside, scope.companies) - scope.mentions - scope.around
        rows = []
        for person, mentions in ((inside, scope.around), (outside, elsewhere)):
            for mention in mentions:
                vals = {
                    "body": person.scrub(mention.body),
                    "external_data": person.scrub_data(mention.external_data),
                    "url": False if person.quotes(mention.url or "") else mention.url,
                }
                if any(vals[f] != mention[f] for f in vals):
                    rows.append((mention.id, vals))
        update_rows(Mention, rows, ["body", "external_data", "url"])
        counts["mentions"] = len(rows)
        touched = Mention.browse([row_id for row_id, _vals in rows]) & elsewhere
        touched_threads = touched.thread_id - scope.threads
        scope.touched_threads = touched_threads
        touched_tickets = (touched.ticket_id | touched_threads.ticket_id) - scope.tickets
        touched_replies = (
            self.env["social_crm.reply"].sudo().search([("parent_mention_id", "in", touched.ids)]) - scope.replies
        )
        # Conversations: a name made from their words goes whole inside the scope; elsewhere identifiers only.
        Thread = self.env["social_crm.thread"].sudo()
        rows = []
        for person, threads, whole in ((inside, scope.threads, True), (outside, touched_threads, False)):
            for thread in threads:
                old = {"name": thread.name, "url": thread.url}
                vals = {
                    "name": (placeholder if person.quotes(thread.name or "") else thread.name)
                    if whole
                    else person.scrub(thread.name),
                    "url": False if person.quotes(thread.url or "") else thread.url,
                }
                if vals != old:
                    rows.append((thread.id, vals))
        update_rows(Thread, rows, ["name", "url"])
        counts["tickets"] = self._scrub_tickets(scope.tickets, inside, whole=True) + self._scrub_tickets(
            touched_tickets, outside, whole=False
        )
        # Replies written by agents: their words stay, the person's name and quotes go.
        Reply = self.env["social_crm.reply"].sudo()
        rows = []
        for person, replies in ((inside, scope.replies), (outside, touched_replies)):
            for reply in replies:
                vals = {f: person.scrub(reply[f]) for f in REPLY_TEXT_FIELDS}
                if any(vals[f] != reply[f] for f in REPLY_TEXT_FIELDS):
                    rows.append((reply.id, vals))
        update_rows(Reply, rows, list(REPLY_TEXT_FIELDS))
        counts["replies"] = len(rows)
        touched_records = [
            ("helpdesk.ticket", touched_tickets.ids),
            ("social_crm.thread", touched_threads.ids),
            ("social_crm.reply", touched_replies.ids),
            ("social_crm.mention", touched.ids),
        ]
        counts["messages"] = self._scrub_chatter(scope.chatter_records(), inside, whole=True) + self._scrub_chatter(
            touched_records, outside, whole=False
        )
        self._scrub_activities(scope.chatter_records(), inside)
        self._scrub_activities(touched_records, outside)
        self._scrub_attachment_index(scope.chatter_records(), inside)
        return counts

    @api.model
    def _mentions_naming(self, person, companies):
        """The company's posts whose text holds one of the person's unique identifiers (trigram index on body)."""
        if not person.identifiers or not companies:
            return self.env["social_crm.mention"].sudo()
        Mention = self.env["social_crm.mention"].sudo()
        Mention.flush_model(["body", "company_id"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM social_crm_mention WHERE company_id = ANY(%s) AND (%s)",
                companies.ids,
                SQL(" OR ").join(SQL("body ILIKE %s", like(i)) for i in person.identifiers),
            )
        )
        return Mention.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _scrub_tickets(self, tickets, person, whole):
        """Ticket titles, descriptions and contact names: replaced whole (``whole``) or their identifiers only."""
        placeholder = person.placeholder
        in_html = PersonText(person.identifiers, [], str(escape(placeholder)))
        rows = []
        for ticket in tickets:
            old = {"name": ticket.name, "description": ticket.description, "partner_name": ticket.partner_name}
            vals = dict(old)
            if not whole:
                vals = {f: person.scrub(value) if value else value for f, value in old.items()}
                if ticket.description:
                    vals["description"] = Markup(in_html.scrub(str(ticket.description)))
            else:
                if person.quotes(ticket.name or ""):
                    network = ticket.social_thread_id.account_id._network_label() if ticket.social_thread_id else ""
                    vals["name"] = (
                        self.env._("%(network)s: %(title)s", network=network, title=placeholder)
                        if network
                        else placeholder
                    )
                if person.quotes_html(ticket.description):
                    vals["description"] = Markup("<p>%s</p>") % placeholder
                if person.quotes(ticket.partner_name or ""):
                    vals["partner_name"] = False
            if vals != old:
                rows.append((ticket.id, vals))
        update_rows(self.env["helpdesk.ticket"].sudo(), rows, ["name", "description", "partner_name"])
        return len(rows)

    @api.model
    def _records_condition(self, records, model_column, id_column):
        """SQL matching the rows of (model, ids) pairs, through the (model, res_id) index of the table."""
        parts = [
            SQL("(%s = %s AND %s = ANY(%s))", model_column, model, id_column, ids) for model, ids in records if ids
        ]
        return SQL(" OR ").join(parts) if parts else None

    @api.model
    def _scrub_chatter(self, records, person, whole):
        """Chatter messages and tracked values of ``records`` that quote or name the person.

        Searched in SQL on the records' own chatter only (index on model, res_id), never the whole table.
        ``whole``: a message quoting them is replaced as a whole; otherwise their identifiers are replaced.
        """
        patterns = person.like_patterns()
        condition = self._records_condition(records, SQL("m.model"), SQL("m.res_id"))
        if not patterns or condition is None:
            return 0
        Message = self.env["mail.message"].sudo()
        Message.flush_model(["body", "subject", "record_name", "model", "res_id"])
        self.env.cr.execute(
            SQL(
                """SELECT m.id FROM mail_message m WHERE (%s)
                      AND (m.body ILIKE ANY(%s) OR m.subject ILIKE ANY(%s) OR m.record_name ILIKE ANY(%s))""",
                condition,
                patterns,
                patterns,
                patterns,
            )
        )
        note = Markup("<p>%s</p>") % person.placeholder
        # In HTML source the placeholder is written escaped.
        in_html = PersonText(person.identifiers, [], str(escape(person.placeholder)))
        rows = []
        for message in Message.browse([row[0] for row in self.env.cr.fetchall()]):
            old = {"body": message.body, "subject": message.subject, "record_name": message.record_name}
            if whole:
                vals = {
                    "body": note if person.quotes_html(message.body) else message.body,
                    "subject": person.placeholder if person.quotes(message.subject or "") else message.subject,
                    "record_name": person.placeholder
                    if person.quotes(message.record_name or "")
                    else message.record_name,
                }
            else:
                vals = {
                    "body": Markup(in_html.scrub(str(message.body))) if message.body else message.body,
                    "subject": person.scrub(message.subject),
                    "record_name": person.scrub(message.record_name),
                }
            if vals != old:
                rows.append((message.id, vals))
        update_rows(Message, rows, ["body", "subject", "record_name"])
        Tracking = self.env["mail.tracking.value"].sudo()
        Tracking.flush_model([*TRACKING_TEXT_FIELDS, "mail_message_id"])
        self.env.cr.execute(
            SQL(
                """SELECT v.id FROM mail_tracking_value v JOIN mail_message m ON m.id = v.mail_message_id
                    WHERE (%s) AND (%s)""",
                condition,
                SQL(" OR ").join(SQL("v.%s ILIKE ANY(%s)", SQL.identifier(f), patterns) for f in TRACKING_TEXT_FIELDS),
            )
        )
        tracking_rows = []
        for value in Tracking.browse([row[0] for row in self.env.cr.fetchall()]):
            if whole:
                vals = {
                    f: person.placeholder if person.quotes(value[f] or "") else value[f] for f in TRACKING_TEXT_FIELDS
                }
            else:
                vals = {f: person.scrub(value[f]) for f in TRACKING_TEXT_FIELDS}
            if any(vals[f] != value[f] for f in TRACKING_TEXT_FIELDS):
                tracking_rows.append((value.id, vals))
        update_rows(Tracking, tracking_rows, list(TRACKING_TEXT_FIELDS))
        return len(rows) + len(tracking_rows)

    @api.model
    def _scrub_activities(self, records, person):
        """Planned activities of ``records`` (approval requests quote the reply) that quote or name the person."""
        patterns = person.like_patterns()
        condition = self._records_condition(records, SQL("a.res_model"), SQL("a.res_id"))
        if not patterns or condition is None:
            return
        Activity = self.env["mail.activity"].sudo()
        Activity.flush_model(["note", "summary", "res_model", "res_id"])
        self.env.cr.execute(
            SQL(
                "SELECT a.id FROM mail_activity a WHERE (%s) AND (a.note::text ILIKE ANY(%s) OR a.summary ILIKE ANY(%s))",
                condition,
                patterns,
                patterns,
            )
        )
        note = Markup("<p>%s</p>") % person.placeholder
        rows = []
        for activity in Activity.browse([row[0] for row in self.env.cr.fetchall()]):
            vals = {
                "note": note if person.quotes_html(activity.note) else activity.note,
                "summary": person.scrub(activity.summary),
            }
            if vals != {"note": activity.note, "summary": activity.summary}:
                rows.append((activity.id, vals))
        update_rows(Activity, rows, ["note", "summary"])

    @api.model
    def _scrub_attachment_index(self, records, person):
        """The words indexed from the scope's attachments (``index_content``) that quote or name the person."""
        patterns = person.like_patterns()
        condition = self._records_condition(records, SQL("res_model"), SQL("res_id"))
        if not patterns or condition is None:
            return
        self.env["ir.attachment"].flush_model(["index_content"])
        self.env.cr.execute(
            SQL(
                "UPDATE ir_attachment SET index_content = NULL WHERE (%s) AND index_content ILIKE ANY(%s)",
                condition,
                patterns,
            )
        )
        self.env["ir.attachment"].invalidate_model(["index_content"])

    @api.model
    def _scrub_alerts(self, scope, person):
        """Spike alerts listing the person's posts: their chatter shows the list again, as it is now."""
        if not scope.alerts:
            return
        Message = self.env["mail.message"].sudo()
        messages = Message.search([("model", "=", "social_crm.alert"), ("res_id", "in", scope.alerts.ids)])
        alerts = {alert.id: alert for alert in scope.alerts}
        note = Markup("<p>%s</p>") % person.placeholder
        rows = []
        for message in messages.filtered(lambda m: person.quotes_html(m.body)):
            alert = alerts[message.res_id]
            summary = "/odoo/social_crm.mention/" in str(message.body)
            rows.append((message.id, {"body": alert._summary_html() if summary else note}))
        update_rows(Message, rows, ["body"])

    @api.model
    def _pseudonymize_mentions(self, mentions):
        """Hash these posts' network ids, and every reference to them (parents, roots, conversations): 4 UPDATEs."""
        mentions = mentions.filtered(lambda m: not m.external_id.startswith(ERASED_PREFIX))
        if not mentions:
            return
        old = [m.external_id for m in mentions]
        key = self._hash_key()
        new = [self._hash(m.account_id.id, m.external_id, key) for m in mentions]
        accounts = [m.account_id.id for m in mentions]
        mentions.flush_model()
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
        mentions.invalidate_model(["external_id", "parent_external_id", "root_external_id"])
        self.env["social_crm.thread"].invalidate_model(["root_external_id"])

    @api.model
    def _clear_partner_handles(self, scope):
        """Remove the erased handles from the "Social handles" of contacts (theirs, or any listing them).

        A handle is unique to its person: contacts of the person's companies, or shared, listing it are found
        through the trigram index on the field.
        """
        handles = {i.handle.lstrip("@").casefold() for i in scope.identities if i.handle}
        if not handles:
            return
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        partners = scope.partners | Partner.search(
            [("company_id", "in", [*scope.companies.ids, False])]
            + ["|"] * (len(handles) - 1)
            + [("social_handles", "ilike", handle) for handle in handles]
        )
        rows = []
        for partner in partners:
            kept = [
                h
                for h in (partner.social_handles or "").replace(",", " ").split()
                if h.lstrip("@").casefold() not in handles
            ]
            value = ", ".join(kept) or False
            if value != partner.social_handles:
                # the matching keys are a copy of the handles: erased with them
                rows.append((partner.id, {"social_handles": value, "social_handle_keys": handle_keys(value) or False}))
        update_rows(self.env["res.partner"], rows, ["social_handles", "social_handle_keys"])

    @api.model
    def _delete_events(self, scope, network_ids):
        """Raw webhook payloads of the person's accounts that carry their network id: deleted. Returns how many."""
        ids = [external_id for _network, external_id in network_ids if external_id]
        if not ids:
            return 0
        accounts = (
            self.env["social_crm.account"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "in", scope.companies.ids),
                    ("network", "in", [network for network, _id in network_ids]),
                ]
            )
        )
        if not accounts:
            return 0
        self.env["social_crm.event"].flush_model(["payload", "account_id"])
        self.env.cr.execute(
            SQL(
                "DELETE FROM social_crm_event WHERE account_id = ANY(%s) AND payload::text LIKE ANY(%s) RETURNING id",
                accounts.ids,
                [like(json.dumps(external_id)) for external_id in ids],
            )
        )
        deleted = self.env.cr.fetchall()
        self.env["social_crm.event"].invalidate_model()
        return len(deleted)

    @api.model
    def _delete_exports(self, scope):
        """Export files made earlier of these identities, or of their contacts by their companies: deleted."""
        domain = [
            ("name", "=like", EXPORT_PREFIX + "%"),
            ("company_id", "in", [*scope.companies.ids, False]),
            "|",
            "&",
            ("res_model", "=", "social_crm.identity"),
            ("res_id", "in", scope.identities.ids),
            "&",
            ("res_model", "=", "res.partner"),
            ("res_id", "in", scope.partners.ids),
        ]
        exports = self.env["ir.attachment"].sudo().search(domain)
        count = len(exports)
        exports.unlink()
        return count

    @api.model
    def _audit(self, scope, counts, labels, requested_by=None):
        """Who erased what and when, without the erased data: a privacy log and a note on tickets and threads."""
        identities = scope.identities
        networks = dict(identities._fields["network"].selection)
        details = self.env._(
            "Social data erased on request: %(identities)s identities, %(mentions)s mentions, "
            "%(threads)s conversations, %(tickets)s tickets, %(replies)s replies, %(messages)s chatter messages, "
            "%(events)s webhook payloads, %(exports)s export files.",
            identities=len(identities),
            mentions=len(scope.mentions),
            threads=len(scope.threads),
            tickets=counts["tickets"],
            replies=counts["replies"],
            messages=counts["messages"],
            events=counts["events"],
            exports=counts["exports"],
        )
        records = "\n".join(
            f"{model} ({len(recs)}): " + ", ".join(f"#{rid}" for rid in recs.ids)
            for model, recs in (
                ("social_crm.identity", identities),
                ("social_crm.mention", scope.mentions),
                ("social_crm.thread", scope.threads),
                ("helpdesk.ticket", scope.tickets),
            )
            if recs
        )
        if counts.get("media"):
            details = " ".join([details, self.env._("%(count)s pictures and files deleted.", count=counts["media"])])
        if requested_by:
            details = f"{details} ({requested_by})"
        self.env["privacy.log"].sudo().create(
            [
                self._log_vals(identity, name, handle, networks, details, records)
                for identity, (name, handle) in zip(identities, labels, strict=True)
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
        for records_to_note in (scope.tickets, scope.threads):
            if records_to_note:
                records_to_note.sudo()._message_log_batch(
                    dict.fromkeys(records_to_note.ids, note), author_id=self.env.user.partner_id.id
                )

    @api.model
    def _log_vals(self, identity, name, handle, networks, details, records):
        network = networks.get(identity.network, identity.network)
        return {
            # privacy.log keeps only the first letter of each word, as Odoo's own Privacy Lookup does.
            "anonymized_name": name or handle or network,
            "anonymized_email": f"{(handle or name or 'unknown').lstrip('@').replace('@', '.')}@{identity.network}",
            "execution_details": details,
            "records_description": records,
            "additional_note": self.env._("Social identity #%(id)s on %(network)s", id=identity.id, network=network),
        }

    # ------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------

    @api.model
    def _export(self, identities, mentions, owner):
        """The export file of these identities and posts (superuser, already checked) as an attachment of ``owner``.

        It holds what the person wrote and what the brand wrote to them; the other participants of their
        conversations appear only as "[another participant]", with nothing that identifies them.
        """
        scope = self._scope(identities, mentions)
        own = scope.mentions
        others_label = self.env._("[another participant]")
        brand_to_them = scope.around.filtered(
            lambda m: (
                (m.direction == "outbound" or m.identity_id.is_brand)
                and (m.parent_id in own or (not m.parent_id and m.thread_id.identity_id in identities))
            )
        )
        others = scope.around - brand_to_them
        mention_fields = [
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
        ]
        mention_rows = self._rows(own | brand_to_them, mention_fields)
        for mention in others:
            row = dict.fromkeys(["id", *mention_fields], "")
            row.update(
                {
                    "account_id": mention.account_id.name,
                    "network": mention.network,
                    "thread_id": mention.thread_id.id or "",
                    "author_name": others_label,
                    "body": others_label,
                    "posted_at": mention.posted_at,
                    "direction": mention.direction,
                }
            )
            mention_rows.append(row)
        conversation_fields = ["name", "account_id", "network", "identity_id", "url", "state", "last_mention_at"]
        conversations = self._rows(scope.threads, conversation_fields)
        for row, thread in zip(conversations, scope.threads, strict=True):
            row["ticket_id"] = thread.ticket_id.display_name or ""
            if thread.identity_id and thread.identity_id not in identities and not thread.identity_id.is_brand:
                row.update({"name": others_label, "identity_id": others_label, "url": ""})
        replies = scope.replies.filtered(
            lambda r: r.parent_mention_id in own or (not r.parent_mention_id and r.thread_id.identity_id in identities)
        )
        identity_fields = [
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
        ]
        reply_fields = ["thread_id", "parent_mention_id", "body", "state", "author_id", "approver_id", "posted_at"]
        reply_fields.append("posted_external_id")
        tables = {
            "identities": (identity_fields, self._rows(identities, identity_fields)),
            "mentions": (mention_fields, mention_rows),
            "conversations": ([*conversation_fields, "ticket_id"], conversations),
            "replies": (reply_fields, self._rows(replies, reply_fields)),
        }
        media_files = self.env["social_crm.media"]._export_media(own | brand_to_them)
        tables["media"] = (["mention_id", "name", "mimetype", "size", "checksum", "file"], [r for r, _d in media_files])
        data = {name: rows for name, (_fnames, rows) in tables.items()}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("social_data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
            for row, content in media_files:
                archive.writestr(row["file"], content)
            for name, (fnames, rows) in tables.items():
                archive.writestr(f"{name}.csv", csv_text(["id", *fnames], rows))
        stamp = fields.Date.context_today(self).isoformat()
        companies = scope.companies
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"{EXPORT_PREFIX}{owner._name.replace('.', '-')}-{owner.id}-{stamp}.zip",
                    "datas": base64.b64encode(buffer.getvalue()),
                    "mimetype": "application/zip",
                    "res_model": owner._name,
                    "res_id": owner.id,
                    "company_id": companies.id if len(companies) == 1 else False,
                }
            )
        )
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    @api.model
    def _rows(self, records, fnames):
        rows = []
        for values in records.read(fnames):
            row = {}
            for key, value in values.items():
                if isinstance(value, tuple):  # many2one: (id, name)
                    value = value[1]
                row[key] = "" if value is False else value
            rows.append(row)
        return rows
