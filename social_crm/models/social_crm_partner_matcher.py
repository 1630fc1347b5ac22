# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from urllib.parse import urlsplit

from odoo import api, models

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
URL_RE = re.compile(r"https?://[^\s<>\"']+|(?<![@\w])(?:www\.)[^\s<>\"']+")
FREE_MAIL_DOMAINS = {
    "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "proton.me", "protonmail.com",
    "live.com", "aol.com", "gmx.de", "yandex.ru", "mail.ru", "qq.com", "163.com",
}
# Confidence of each signal; above the threshold setting the link is made automatically.
SCORES = {"handle": 0.95, "email": 0.9, "phone": 0.85, "name_domain": 0.8, "website": 0.6, "name": 0.4}
DEFAULT_THRESHOLD = 0.8


def _digits(phone):
    digits = re.sub(r"\D", "", phone or "")
    return digits[-9:] if len(digits) >= 8 else ""


def _domain(value):
    value = (value or "").strip().lower()
    if not value:
        return ""
    if "@" in value and "/" not in value:
        value = value.rsplit("@", 1)[1]
    else:
        value = urlsplit(value if "//" in value else "//" + value).hostname or ""
    return value[4:] if value.startswith("www.") else value


def _handle_key(handle):
    return (handle or "").strip().lstrip("@").lower()


class SocialCrmPartnerMatcher(models.AbstractModel):
    """Finds the contact behind social identities, for a whole batch at once.

    Signals: a handle recorded on a contact, an email, phone number or website
    found in the profile, and the same name with a matching company domain.
    One query per signal for the batch, whatever its size.
    """

    _name = "social_crm.partner.matcher"
    _description = "Social identity to contact matching"

    @api.model
    def _signals(self, identity):
        text = " ".join(filter(None, [identity.bio, identity.profile_url, identity.name]))
        urls = URL_RE.findall(text)
        return {
            "handle": _handle_key(identity.handle),
            "emails": {email.lower() for email in EMAIL_RE.findall(text)},
            "phones": {d for d in (_digits(p) for p in PHONE_RE.findall(identity.bio or "")) if d},
            "domains": {d for d in (_domain(u) for u in urls) if d and not self._is_network_domain(d)},
            "name": " ".join((identity.name or "").lower().split()),
        }

    @api.model
    def _is_network_domain(self, domain):
        return any(domain == d or domain.endswith("." + d) for d in (
            "bsky.app", "bsky.social", "x.com", "twitter.com", "facebook.com", "instagram.com", "reddit.com",
            "youtube.com", "linkedin.com", "mastodon.social", "t.co", "linktr.ee",
        ))

    @api.model
    def _match(self, identities):
        """Return {identity: (partner, confidence, reason)} for identities with a candidate."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=True)
        signals = {identity: self._signals(identity) for identity in identities}
        handles = {s["handle"] for s in signals.values() if s["handle"]}
        emails = set().union(*(s["emails"] for s in signals.values())) if signals else set()
        phones = set().union(*(s["phones"] for s in signals.values())) if signals else set()
        domains = set().union(*(s["domains"] for s in signals.values())) if signals else set()
        names = {s["name"] for s in signals.values() if s["name"]}

        by_handle, by_email, by_phone, by_domain, by_name = {}, {}, {}, {}, {}
        if handles:
            # Handles typed on contacts, and the same handle already linked on another network.
            terms = [("social_handles", "ilike", handle) for handle in handles]
            for partner in Partner.search_fetch(["|"] * (len(terms) - 1) + terms, ["social_handles"]):
                for handle in re.split(r"[\s,;]+", partner.social_handles or ""):
                    if _handle_key(handle) in handles:
                        by_handle.setdefault(_handle_key(handle), partner)
            linked = self.env["social_crm.identity"].sudo().search_fetch(
                [("handle", "in", list(handles)), ("partner_id", "!=", False)], ["handle", "partner_id"]
            )
            for identity in linked:
                by_handle.setdefault(_handle_key(identity.handle), identity.partner_id)
        if emails:
            for partner in Partner.search_fetch([("email_normalized", "in", list(emails))], ["email_normalized"]):
                by_email.setdefault(partner.email_normalized, partner)
        if phones:
            Partner.flush_model(["phone", "mobile", "active"])
            self.env.cr.execute(
                """
                SELECT id, right(regexp_replace(coalesce(phone, ''), '\\D', '', 'g'), 9),
                           right(regexp_replace(coalesce(mobile, ''), '\\D', '', 'g'), 9)
                  FROM res_partner
                 WHERE active
                   AND (right(regexp_replace(coalesce(phone, ''), '\\D', '', 'g'), 9) = ANY(%s)
                        OR right(regexp_replace(coalesce(mobile, ''), '\\D', '', 'g'), 9) = ANY(%s))
                """,
                [list(phones), list(phones)],
            )
            for partner_id, phone, mobile in self.env.cr.fetchall():
                for key in (phone, mobile):
                    if key:
                        by_phone.setdefault(key, Partner.browse(partner_id))
        if domains or names:
            domain_terms = [("website", "ilike", d) for d in domains] + [("email", "=ilike", f"%@{d}") for d in domains]
            name_terms = [("name", "=ilike", n) for n in names]
            terms = domain_terms + name_terms
            search_domain = ["|"] * (len(terms) - 1) + terms
            for partner in Partner.search_fetch(search_domain, ["name", "website", "email", "is_company"], limit=2000):
                for d in {_domain(partner.website), _domain(partner.email)} & domains:
                    by_domain.setdefault(d, []).append(partner)
                by_name.setdefault(" ".join((partner.name or "").lower().split()), []).append(partner)

        result = {}
        for identity, s in signals.items():
            candidates = []
            if s["handle"] in by_handle:
                candidates.append((by_handle[s["handle"]], SCORES["handle"], "handle"))
            for email in s["emails"]:
                if email in by_email:
                    candidates.append((by_email[email], SCORES["email"], "email"))
            for phone in s["phones"]:
                if phone in by_phone:
                    candidates.append((by_phone[phone], SCORES["phone"], "phone"))
            same_name = by_name.get(s["name"], []) if s["name"] else []
            for d in s["domains"]:
                for partner in by_domain.get(d, []):
                    if partner in same_name:
                        candidates.append((partner, SCORES["name_domain"], "name_domain"))
                    elif partner.is_company and d not in FREE_MAIL_DOMAINS:
                        candidates.append((partner, SCORES["website"], "website"))
            if len(same_name) == 1:
                candidates.append((same_name[0], SCORES["name"], "name"))
            if candidates:
                result[identity] = max(candidates, key=lambda c: c[1])
        return result
