# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Relate: messages to identities, identities to contacts, messages into conversations.

The ingestion calls ``_relate(account, items)`` for each page, and ``_link_contacts``
once the page is stored. Everything is done for the whole page at once.

Matching rules, in one screen: a handle or profile link an employee typed on a
contact links the identity automatically (when its confidence reaches the
threshold setting). Everything strangers write (bio, display name, e-mail, phone,
website, the same handle taken on another network) only ever produces a
suggestion that a person confirms. Internal users' contacts are never matched,
and only contacts the identity's company may see are searched.
"""

import re
from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL, escape_psql

from ..tools.bulk_sql import insert_rows
from ..tools.contact_keys import (
    EMAIL_DOMAIN_SQL,
    HANDLE_KEYS_SQL,
    PHONE_KEY_SQL,
    domain_key,
    handle_key,
    phone_key,
    url_key,
)

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
URL_RE = re.compile(r"https?://[^\s<>\"']+|(?<![@\w])(?:www\.)[^\s<>\"']+")
FREE_MAIL_DOMAINS = {
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "icloud.com",
    "proton.me",
    "protonmail.com",
    "live.com",
    "aol.com",
    "gmx.de",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
}
# Confidence of each signal, shown with the suggestion.
SCORES = {
    "handle": 0.95,
    "linked_handle": 0.9,
    "email": 0.9,
    "phone": 0.85,
    "name_domain": 0.8,
    "website": 0.6,
    "name": 0.4,
}
# Only evidence an employee put on the contact links automatically (at or above the threshold setting):
# everything else is written by whoever owns the profile, so it is a suggestion a person confirms.
TRUSTED_REASONS = {"handle"}
# Networks whose author names and links are whatever the source says (feeds): never linked automatically.
UNVERIFIED_NETWORKS = {"feed"}


class SocialCrmRelate(models.AbstractModel):
    _name = "social_crm.relate"
    _description = "Social CRM: identities, contacts and conversations"

    @api.model
    def _relate(self, account, items):
        """Identities and conversations of a page of items: ({author id: identity}, {root id: thread})."""
        public = {str(item.author.external_id) for item in items if item.author and item.visibility != "private"}
        identities = self._upsert_identities(
            account.network, [item.author for item in items], account.company_id, public_ids=public
        )
        threads = self._ensure_threads(account, items, identities)
        return identities, threads

    # ------------------------------------------------------------------
    # IDENTITIES
    # ------------------------------------------------------------------

    @api.model
    def _upsert_identities(self, network, authors, company, public_ids=None):
        """Find or create ``company``'s identities for a batch of connector authors.

        One search for the whole batch, one INSERT for the new ones; enrichment
        (avatar, bio, followers, profile URL) is refreshed only where it changed.
        ``public_ids``: the authors who wrote in public in this batch (``None``: all of them); the others stay
        (or are created) visible to those who read private messages only. Returns {external_id: identity}.
        """
        by_id = {}
        for author in authors:
            if author and author.external_id:
                by_id.setdefault(str(author.external_id), author)
        if not by_id:
            return {}
        existing = (
            self.env["social_crm.identity"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                [("network", "=", network), ("external_id", "in", list(by_id)), ("company_id", "=", company.id)],
                ["external_id", "handle", "name", "profile_url", "avatar_url", "bio", "followers", "visibility"],
            )
        )
        result = {identity.external_id: identity for identity in existing}
        if public_ids is None:
            public_ids = set(by_id)
        changes = defaultdict(list)  # one write per distinct change, not one per identity
        for identity in existing:
            vals = self._enrichment_vals(by_id[identity.external_id], identity)
            if identity.visibility != "public" and identity.external_id in public_ids:
                vals["visibility"] = "public"
            if vals:
                changes[tuple(sorted(vals.items()))].append(identity.id)
        for vals, ids in changes.items():
            existing.browse(ids).write(dict(vals))
        to_create = [
            dict(
                self._enrichment_vals(author),
                network=network,
                external_id=ext_id,
                company_id=company.id,
                visibility="public" if ext_id in public_ids else "private",
            )
            for ext_id, author in by_id.items()
            if ext_id not in result
        ]
        # One INSERT; an identity another worker stored meanwhile is skipped by the unique constraint, then read.
        Identity = existing.browse()
        inserted = insert_rows(
            Identity, to_create, conflict=["network", "external_id", "company_id"], key="external_id"
        )
        result.update(_records(Identity, inserted))
        raced = [vals["external_id"] for vals in to_create if vals["external_id"] not in result]
        if raced:
            result.update(
                (identity.external_id, identity)
                for identity in Identity.with_context(active_test=False).search_fetch(
                    [("network", "=", network), ("external_id", "in", raced), ("company_id", "=", company.id)],
                    ["external_id"],
                )
            )
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
        return {key: value for key, value in fresh.items() if value not in (False, None) and value != identity[key]}

    # ------------------------------------------------------------------
    # CONVERSATIONS
    # ------------------------------------------------------------------

    @api.model
    def _ensure_threads(self, account, items, identities):
        """Find or create the threads of a batch of items; returns {root id: thread}."""
        roots = {}
        for item in items:
            roots.setdefault(item.root_id or item.external_id, item)
        if not roots:
            return {}
        Thread = self.env["social_crm.thread"].sudo()
        existing = Thread.search_fetch(
            [("account_id", "=", account.id), ("root_external_id", "in", list(roots))],
            ["root_external_id"],
        )
        result = {thread.root_external_id: thread for thread in existing}
        vals_list = []
        for root_id, item in roots.items():
            if root_id in result:
                continue
            identity = identities.get(item.author.external_id) if item.author else None
            vals_list.append(
                {
                    "account_id": account.id,
                    "company_id": account.company_id.id,
                    "network": account.network,
                    "partner_id": identity.partner_id.id if identity else False,
                    "root_external_id": root_id,
                    "identity_id": identity.id if identity else False,
                    "name": Thread._title_from_text(item.text) or (identity and identity.display_name) or root_id,
                    "url": item.url or False,
                    "state": "new",
                    "visibility": "private" if item.visibility == "private" else "public",
                }
            )
        inserted = insert_rows(Thread, vals_list, conflict=["account_id", "root_external_id"], key="root_external_id")
        result.update(_records(Thread, inserted))
        raced = [root_id for root_id in roots if root_id not in result]  # stored meanwhile by another worker
        if raced:
            result.update(
                (thread.root_external_id, thread)
                for thread in Thread.search_fetch(
                    [("account_id", "=", account.id), ("root_external_id", "in", raced)], ["root_external_id"]
                )
            )
        return result

    # ------------------------------------------------------------------
    # CONTACTS
    # ------------------------------------------------------------------

    @api.model
    def _link_contacts(self, identities):
        """Link identities to contacts from evidence we control; everything else is only a suggestion.

        A handle or profile link an employee typed on the contact links when its
        confidence reaches the threshold setting. What strangers write (bio,
        name, e-mail, phone, website, a handle taken on another network) is
        never more than a suggestion, whatever the threshold.
        """
        identities = identities.filtered(lambda i: not i.partner_id and not i.is_brand)
        if not identities:
            return
        matches = self._match(identities)
        by_vals = defaultdict(list)
        for identity, (partner, confidence, reason) in matches.items():
            if partner in identity.rejected_partner_ids:
                continue
            trusted = reason in TRUSTED_REASONS and identity.network not in UNVERIFIED_NETWORKS
            # the identity's company sets its own confidence threshold
            link = trusted and confidence >= identity.company_id.social_crm_match_threshold
            by_vals[(partner.id, confidence, reason, link)].append(identity.id)
        Identity = self.env["social_crm.identity"].sudo()
        for (partner_id, confidence, reason, link), ids in by_vals.items():
            vals = {"match_confidence": confidence, "match_reason": reason}
            vals.update(
                {"partner_id": partner_id, "suggested_partner_id": False}
                if link
                else {"suggested_partner_id": partner_id}
            )
            Identity.browse(ids).write(vals)

    @api.model
    def _signals(self, identity):
        text = " ".join(filter(None, [identity.bio, identity.profile_url, identity.name]))
        urls = URL_RE.findall(text)
        return {
            "handle": handle_key(identity.handle),
            "url": url_key(identity.profile_url),
            "emails": {email.lower() for email in EMAIL_RE.findall(text)},
            "phones": {d for d in (phone_key(p) for p in PHONE_RE.findall(identity.bio or "")) if d},
            "domains": {d for d in (domain_key(u) for u in urls) if d and not self._is_network_domain(d)},
            "name": " ".join((identity.name or "").lower().split()),
        }

    @api.model
    def _is_network_domain(self, domain):
        return any(
            domain == d or domain.endswith("." + d)
            for d in (
                "bsky.app",
                "bsky.social",
                "x.com",
                "twitter.com",
                "facebook.com",
                "instagram.com",
                "threads.com",
                "threads.net",
                "reddit.com",
                "youtube.com",
                "linkedin.com",
                "mastodon.social",
                "t.co",
                "linktr.ee",
            )
        )

    # Each lookup below walks an index once per key (LATERAL): its cost follows the page, not the contacts,
    # whatever the planner's statistics say. The customers' filter applies to the rows found.

    @api.model
    def _lookup(self, query):
        self.env["res.partner"].flush_model(
            ["social_handle_keys", "phone", "mobile", "name", "website", "email", "email_normalized", "is_company"]
            + ["active", "partner_share", "company_id"]
        )
        self.env["res.users"].flush_model(["partner_id", "active"])
        self.env.cr.execute(query)
        return [Candidate(*row) for row in self.env.cr.fetchall()]

    @api.model
    def _partners_by_handle_keys(self, company_ids, keys):
        """Customers without a user whose typed handles or profile links have one of ``keys``."""
        return self._lookup(
            SQL(
                """
                SELECT DISTINCT p.id, p.company_id, p.is_company, p.social_handle_keys
                  FROM unnest(%s::text[]) AS k(key)
                 CROSS JOIN LATERAL (
                        SELECT id, company_id, is_company, social_handle_keys, active, partner_share
                          FROM res_partner
                         WHERE social_handle_keys IS NOT NULL AND %s @> ARRAY[k.key]
                       ) AS p
                 WHERE %s AND NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = p.id AND u.active)
                """,
                list(keys),
                SQL(HANDLE_KEYS_SQL),
                self._customer_sql(company_ids),
            )
        )

    @api.model
    def _partners_by_phone_keys(self, company_ids, keys):
        """Customers whose phone or mobile ends with one of ``keys`` (the expressions res.partner indexes)."""
        phone, mobile = SQL(PHONE_KEY_SQL % "phone"), SQL(PHONE_KEY_SQL % "mobile")
        return self._lookup(
            SQL(
                """
                SELECT DISTINCT p.id, p.company_id, p.is_company, p.phone_key, p.mobile_key
                  FROM unnest(%s::text[]) AS k(key)
                 CROSS JOIN LATERAL (
                        SELECT id, company_id, is_company, active, partner_share,
                               CASE WHEN phone IS NOT NULL THEN %s END AS phone_key,
                               CASE WHEN mobile IS NOT NULL THEN %s END AS mobile_key
                          FROM res_partner
                         WHERE (phone IS NOT NULL AND %s = k.key) OR (mobile IS NOT NULL AND %s = k.key)
                       ) AS p
                 WHERE %s
                """,
                list(keys),
                phone,
                mobile,
                phone,
                mobile,
                self._customer_sql(company_ids),
            )
        )

    @api.model
    def _partners_by_domain_or_name(self, company_ids, domains, names, limit=2000):
        """Customers (at most ``limit``) whose website contains, or whose e-mail is at, one of ``domains``, or
        whose name is one of ``names`` (case-insensitive): candidates the caller checks.

        Indexes: trigram on the website, the e-mail's domain, lower(name).
        """
        columns = SQL("id, company_id, is_company, name, website, email, email_normalized, active, partner_share")
        return self._lookup(
            SQL(
                """
                SELECT DISTINCT p.id, p.company_id, p.is_company, p.name, p.website, p.email, p.email_normalized
                  FROM (
                        SELECT r.* FROM unnest(%s::text[]) AS k(pattern)
                         CROSS JOIN LATERAL (SELECT %s FROM res_partner
                                              WHERE website IS NOT NULL AND website ILIKE k.pattern) AS r
                        UNION ALL
                        SELECT r.* FROM unnest(%s::text[]) AS k(domain)
                         CROSS JOIN LATERAL (SELECT %s FROM res_partner
                                              WHERE email_normalized IS NOT NULL AND %s = k.domain) AS r
                        UNION ALL
                        SELECT r.* FROM unnest(%s::text[]) AS k(name)
                         CROSS JOIN LATERAL (SELECT %s FROM res_partner WHERE lower(name) = lower(k.name)) AS r
                       ) AS p
                 WHERE %s
                 LIMIT %s
                """,
                [f"%{escape_psql(d)}%" for d in domains],
                columns,
                list(domains),
                columns,
                SQL(EMAIL_DOMAIN_SQL),
                list(names),
                columns,
                self._customer_sql(company_ids),
                limit,
            )
        )

    @api.model
    def _customer_sql(self, company_ids):
        """Customers only: active, no internal user's contact, shared or ``company_ids``' (row alias ``p``)."""
        return SQL(
            "p.active AND p.partner_share AND (p.company_id IS NULL OR p.company_id = ANY(%s))", list(company_ids)
        )

    @api.model
    def _match(self, identities):
        """Return {identity: (partner, confidence, reason)} for identities with a candidate."""
        company_ids = identities.company_id.ids
        Partner = self.env["res.partner"].sudo()
        signals = {identity: self._signals(identity) for identity in identities}
        handles = {s["handle"] for s in signals.values() if s["handle"]}
        urls = {s["url"] for s in signals.values() if s["url"]}
        emails = set().union(*(s["emails"] for s in signals.values())) if signals else set()
        phones = set().union(*(s["phones"] for s in signals.values())) if signals else set()
        domains = set().union(*(s["domains"] for s in signals.values())) if signals else set()
        names = {s["name"] for s in signals.values() if s["name"]}

        # {key: [Candidate]}: plain rows, the partners are browsed once chosen
        by_handle, by_linked, by_email, by_phone, by_domain, by_name = {}, {}, {}, {}, {}, {}
        if handles or urls:
            # Handles and profile links typed on contacts that have no user: their keys, stored and indexed.
            keys = handles | urls
            for row in self._partners_by_handle_keys(company_ids, keys):
                for key in set(row.extra[0].split()) & keys:
                    by_handle.setdefault(key, []).append(row)
        if handles:
            # The same handle already linked by the same company on another network.
            linked = (
                self.env["social_crm.identity"]
                .sudo()
                .search_fetch(
                    [
                        ("handle", "in", list(handles)),
                        ("partner_id", "!=", False),
                        ("partner_id.partner_share", "=", True),
                        ("company_id", "in", company_ids),
                    ],
                    ["handle", "partner_id", "company_id"],
                )
            )
            for identity in linked:
                by_linked.setdefault((handle_key(identity.handle), identity.company_id), identity.partner_id)
        if emails:
            customers = [("partner_share", "=", True), ("company_id", "in", [False, *company_ids])]
            domain = [*customers, ("email_normalized", "in", list(emails))]
            fields_ = ["email_normalized", "company_id", "is_company"]
            for partner in Partner.with_context(active_test=True).search_fetch(domain, fields_):
                row = Candidate(partner.id, partner.company_id.id, partner.is_company)
                by_email.setdefault(partner.email_normalized, []).append(row)
        if phones:
            for row in self._partners_by_phone_keys(company_ids, phones):
                for key in set(row.extra):
                    if key:
                        by_phone.setdefault(key, []).append(row)
        if domains or names:
            for row in self._partners_by_domain_or_name(company_ids, domains, names):
                name, website, email, email_normalized = row.extra
                for d in {domain_key(website), domain_key(email), domain_key(email_normalized)} & domains:
                    by_domain.setdefault(d, []).append(row)
                by_name.setdefault(" ".join((name or "").lower().split()), []).append(row)

        result = {}
        for identity, s in signals.items():

            def seen(rows, company_id=identity.company_id.id):
                return [row for row in rows if not row.company_id or row.company_id == company_id]

            candidates = [
                (row, SCORES["handle"], "handle")
                for key in (s["handle"], s["url"])
                if key
                for row in seen(by_handle.get(key, []))
            ]
            if (s["handle"], identity.company_id) in by_linked:
                linked = by_linked[s["handle"], identity.company_id]
                candidates.append((Candidate(linked.id, None, None), SCORES["linked_handle"], "linked_handle"))
            candidates += [
                (row, SCORES["email"], "email") for email in s["emails"] for row in seen(by_email.get(email, []))
            ]
            candidates += [
                (row, SCORES["phone"], "phone") for phone in s["phones"] for row in seen(by_phone.get(phone, []))
            ]
            same_name = {row.id for row in seen(by_name.get(s["name"], []))} if s["name"] else set()
            for d in s["domains"]:
                for row in seen(by_domain.get(d, [])):
                    if row.id in same_name:
                        candidates.append((row, SCORES["name_domain"], "name_domain"))
                    elif row.is_company and d not in FREE_MAIL_DOMAINS:
                        candidates.append((row, SCORES["website"], "website"))
            if len(same_name) == 1:
                candidates.append((Candidate(next(iter(same_name)), None, None), SCORES["name"], "name"))
            if candidates:
                row, confidence, reason = max(candidates, key=lambda c: c[1])
                result[identity] = (Partner.browse(row.id), confidence, reason)
        return result


def _records(model, ids_by_key):
    """{key: record} for {key: id}, the records prefetched together (a record browsed alone reads alone)."""
    records = model.browse(list(ids_by_key.values()))
    by_id = {record.id: record for record in records}
    return {key: by_id[record_id] for key, record_id in ids_by_key.items()}


class Candidate:
    """A contact found by a lookup: id, company id, is a company, then what the lookup selected."""

    __slots__ = ("company_id", "extra", "id", "is_company")

    def __init__(self, id_, company_id, is_company, *extra):
        self.id, self.company_id, self.is_company, self.extra = id_, company_id, is_company, extra
