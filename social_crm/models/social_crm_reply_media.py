# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import uuid
from urllib.parse import urlsplit

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.mimetypes import guess_mimetype

from ..connectors import errors as api_errors
from ..connectors import get_client_class
from ..connectors.messaging import MediaRule, MessagingClient
from ..connectors.models import Media

# How long the signed link to a file lives, for networks that fetch it themselves: Meta fetches it while the
# message is sent; LINE when the person opens the chat (it keeps a copy once shown).
LINK_HOURS = {"line": 7 * 24}
LINK_HOURS_DEFAULT = 1


class SocialCrmReply(models.Model):
    """Pictures and files sent with a reply, each network's way (``send_media`` of its client)."""

    _inherit = "social_crm.reply"

    attachment_ids = fields.Many2many(
        "ir.attachment",
        "social_crm_reply_attachment_rel",
        "reply_id",
        "attachment_id",
        string="Pictures and files",
        copy=False,
        help="Sent with the reply where the network takes them (private conversations): the limits are said "
        "before the reply is submitted.",
    )
    attachment_warning = fields.Text(compute="_compute_attachment_warning")

    @api.depends("attachment_ids", "thread_id.visibility", "thread_id.account_id")
    @api.depends_context("lang")
    def _compute_attachment_warning(self):
        for reply in self:
            reply.attachment_warning = "\n".join(reply._attachment_issues()) or False

    @api.constrains("attachment_ids", "thread_id")
    def _check_attachment_company(self):
        for reply in self.sudo():
            foreign = reply.attachment_ids.filtered(
                lambda attachment, reply=reply: attachment.company_id and attachment.company_id != reply.company_id
            )
            if foreign:
                raise ValidationError(
                    _("%(name)s belongs to another company: it cannot be sent from this one.", name=foreign[0].name)
                )

    # ------------------------------------------------------------------
    # What each network takes
    # ------------------------------------------------------------------

    def _attachment_issues(self):
        """Why the reply's files cannot go out, in words (empty when they can)."""
        self.ensure_one()
        attachments = self.sudo().attachment_ids
        if not attachments:
            return []
        network = self.account_id._network_label() if self.account_id else ""
        client_class = get_client_class(self.network) if self.network else None
        rules, max_count = self._media_rules(client_class)
        if not rules:
            return [_("%(network)s answers take text only: remove the files.", network=network)]
        issues = []
        if len(attachments) > max_count:
            issues.append(_("%(network)s takes at most %(max)s files in one answer.", network=network, max=max_count))
        for attachment in attachments:
            rule = next((r for r in rules if not r.mimetypes or attachment.mimetype in r.mimetypes), None)
            if rule is None:
                issues.append(
                    _(
                        "%(network)s does not take %(name)s (%(type)s).",
                        network=network,
                        name=attachment.name,
                        type=attachment.mimetype or _("unknown type"),
                    )
                )
            elif attachment.file_size > rule.max_bytes:
                issues.append(
                    _(
                        "%(name)s is too large for %(network)s (%(size)s MB; %(max)s MB at most).",
                        name=attachment.name,
                        network=network,
                        size=round(attachment.file_size / 1024 / 1024, 1),
                        max=round(rule.max_bytes / 1024 / 1024),
                    )
                )
        if getattr(client_class, "media_by_url", False) and self._is_private() and not self._public_base_url_ok():
            issues.append(
                _(
                    "%(network)s fetches the files from this database's address (%(url)s), which must be public "
                    "and start with https://.",
                    network=network,
                    url=self.get_base_url(),
                )
            )
        return issues

    def _is_private(self):
        return self.thread_id.sudo().visibility == "private"

    def _media_rules(self, client_class):
        """``(rules, max count)`` of the files an answer in this conversation takes: the messaging API's in a
        private conversation, the publishing code's pictures in a public one (empty: text only)."""
        if not client_class:
            return (), 0
        if self._is_private():
            if issubclass(client_class, MessagingClient) and client_class.reply_media_rules:
                return client_class.reply_media_rules, client_class.reply_max_media
            return (), 0
        if not getattr(client_class, "reply_takes_media", False):
            return (), 0
        image = MediaRule("image", tuple(client_class.image_types), client_class.max_image_bytes)
        return (image,), (client_class.publish_limits or {}).get("max_images", 0)

    def _public_base_url_ok(self):
        parts = urlsplit(self.get_base_url())
        if parts.scheme == "https":
            return True
        allowed = self.env["ir.config_parameter"].sudo().get_param("social_crm.allowed_hosts") or ""
        return parts.hostname in {host.strip() for host in allowed.split(",")}  # loopback tests and demos

    # ------------------------------------------------------------------
    # Approval: the files are frozen with the text
    # ------------------------------------------------------------------

    def _approval_payload(self):
        payload = super()._approval_payload()
        attachments = self.sudo().attachment_ids.sorted("id")
        if attachments:  # absent without files: replies approved before files existed stay as approved
            payload["attachments"] = [[a.id, a.checksum or "", a.name or "", a.mimetype or ""] for a in attachments]
        return payload

    def _content_changes(self, vals):
        return super()._content_changes(vals) | ({"attachment_ids"} & set(vals))

    def _check_attachments_readable(self, vals):
        """Only files uploaded for this reply by the user (or already its own): an id of another record's
        attachment, even a readable one, is refused."""
        super()._check_attachments_readable(vals)
        if self.env.su:
            return
        for attachment in self._attachment_ids_in(vals).sudo():
            own_upload = (
                attachment.res_model in (False, self._name)
                and not attachment.res_id
                and attachment.create_uid == self.env.user
            )
            already_here = attachment.res_model == self._name and attachment.res_id in self.ids
            if not (own_upload or already_here):
                raise AccessError(
                    _(
                        "%(name)s belongs to another document: upload the file to the reply itself.",
                        name=attachment.name,
                    )
                )

    def _request_approval(self, what):
        """The approver is told which files come with the text (they open them on the reply)."""
        names = self.sudo().attachment_ids.mapped("name")
        if names:
            what = _(
                "%(what)s (with %(count)s file(s): %(names)s)", what=what, count=len(names), names=", ".join(names)
            )
        return super()._request_approval(what)

    def _check_postable(self):
        res = super()._check_postable()
        issues = self._attachment_issues()
        if issues:
            raise UserError(
                _("The files of this reply cannot be sent as they are:\n%(issues)s", issues="\n".join(issues))
            )
        return res

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _outgoing_send(self):
        if not self.attachment_ids or self._is_private():
            return super()._outgoing_send()
        # A public reply: the pictures go through the publishing code's upload (``reply(..., media=)``).
        parent = self.parent_mention_id.sudo()
        client = self.account_id._get_client()
        return client.reply(
            self.approved_body.strip(),
            parent_id=parent.external_id,
            root_id=parent.root_external_id or self.thread_id.root_external_id,
            extra=parent.external_data or {},
            media=self._reply_media(client),
        )

    def _send_private(self, client, parent):
        if not self.attachment_ids:
            return super()._send_private(client, parent)
        customer = parent.identity_id if parent.direction == "inbound" else self.thread_id.sudo().identity_id
        context = dict(parent.external_data or {})
        # The same stable retry key as a text answer: LINE never delivers this reply twice.
        context["retry_key"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.env.cr.dbname}/social_crm.reply/{self.id}"))
        return client.send_media(self.approved_body.strip(), self._reply_media(client), customer.external_id, context)

    def _reply_media(self, client):
        """The approved files as ``Media``: the bytes read now and checked against the checksum approved (a file
        rewritten behind the ORM is refused, nothing sent), the type decided from the bytes, and a signed
        link for networks that fetch the file themselves."""
        by_url = getattr(client, "media_by_url", False)
        hours = LINK_HOURS.get(self.network, LINK_HOURS_DEFAULT)
        media = []
        for attachment in self.sudo().attachment_ids.sorted("id"):
            raw = attachment.raw or b""
            if hashlib.sha1(raw).hexdigest() != attachment.checksum:
                raise ValueError(
                    _(
                        "%(name)s changed since the reply was approved: nothing was sent. Revise the reply.",
                        name=attachment.name,
                    )
                )
            url = attachment._social_public_url(hours) if by_url else ""
            media.append(
                Media(
                    filename=attachment.name or "file",
                    mimetype=guess_mimetype(raw, default=attachment.mimetype or "application/octet-stream"),
                    data=raw,
                    url=url,
                    preview_url=f"{url}/preview" if url else "",
                )
            )
        return media

    def _record_posted(self, item, auto_commit=False):
        """The files sent go with the reply's message in the conversation: the chat bubbles show what the person
        received (copies of the reply's attachments on its outbound mention, sharing the stored bytes)."""
        res = super()._record_posted(item, auto_commit=auto_commit)
        mention = self.posted_mention_id
        if mention and self.attachment_ids:
            self.env["ir.attachment"].sudo().create(
                [
                    {
                        "name": attachment.name,
                        "raw": attachment.raw,
                        "mimetype": attachment.mimetype,
                        "description": attachment.description,
                        "res_model": "social_crm.mention",
                        "res_id": mention.id,
                        "company_id": mention.company_id.id,
                    }
                    for attachment in self.attachment_ids.sudo()
                ]
            )
        return res

    def _failure_is_unknown(self, exc):
        # Part of the answer reached the person: sending again would repeat it, so a person settles it first.
        return isinstance(exc, api_errors.PartlySent) or super()._failure_is_unknown(exc)
