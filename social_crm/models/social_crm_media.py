# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pictures and files people send: downloaded by a cron into attachments of their mention, shown in the chat.

A mention whose item carried media (``external_data["media"]``, see ``connectors/media.py``) is stored
with ``media_state = "pending"``. Never during a webhook request: this cron claims bounded batches of
such mentions (``FOR UPDATE SKIP LOCKED``), asks the account's client for each item
(``media_content(ref)``: the network's content API, its hosts only, a cap per kind, the type read from the
bytes) and stores what came as an ``ir.attachment`` of the mention (``res_model='social_crm.mention'``),
so whoever may not read the mention (another company, a reader and a private message) may not read the
file either: Odoo checks an attachment's access on the record it belongs to.

Each item is tried once for good: what is stored or refused is marked on the item, so a re-run never
downloads it again; a failure that may pass (network down, rate limit) is retried a few times with a
growing wait, then said in words like the others (``media_note``). A batch is committed at once: a crash
loses at most the batch's downloads, which the next run does again.
"""

import logging
import threading
import time
from datetime import timedelta

from odoo import api, models
from odoo.tools.translate import LazyTranslate

from ..connectors import errors as api_errors
from ..connectors import get_client_class
from ..connectors import media as media_api

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

MEDIA_BATCH = 10  # mentions per batch (a message rarely holds more than a few files)
MAX_BATCHES = 20  # per cron run; the runner calls again while work remains
RUN_SECONDS = 45
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=2)  # 2, 4, 8, 16 minutes: LINE keeps content for a limited time only
ATTACHMENT_MODEL = "social_crm.mention"
WHAT = {
    "image": _lt("picture"),
    "thumbnail": _lt("picture"),
    "sticker": _lt("sticker"),
    "video": _lt("video"),
    "audio": _lt("voice message"),
    "file": _lt("file"),
}
# Kinds shown as a picture (thumbnail opening the viewer) and as a player when the browser plays the type.
PICTURES = ("image", "thumbnail", "sticker")


class SocialCrmMedia(models.AbstractModel):
    _name = "social_crm.media"
    _description = "Social Media Downloads"

    # ------------------------------------------------------------------
    # DOWNLOAD (cron)
    # ------------------------------------------------------------------

    @api.model
    def _wake(self):
        """Run the download cron soon: LINE keeps content for a limited time only."""
        cron = self.env.ref("social_crm.ir_cron_fetch_media", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _cron_fetch_media(self, batch_size=MEDIA_BATCH, max_batches=MAX_BATCHES):
        """Download the media of bounded batches of mentions, committing after each batch; returns how many."""
        testing = getattr(threading.current_thread(), "testing", False)
        started, done = time.monotonic(), 0
        for _batch in range(max_batches):
            if time.monotonic() - started > RUN_SECONDS:
                break
            mentions = self._claim(batch_size)
            if not mentions:
                break
            self._fetch(mentions)
            done += len(mentions)
            if not testing:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        self.env["ir.cron"]._notify_progress(done=done, remaining=self._due_count())
        return done

    def _due_domain(self):
        return [
            ("media_state", "=", "pending"),
            "|",
            ("media_retry_at", "=", False),
            ("media_retry_at", "<=", self.env.cr.now()),
        ]

    @api.model
    def _due_count(self):
        return self.env["social_crm.mention"].sudo().search_count(self._due_domain())

    @api.model
    def _claim(self, limit):
        """Lock up to ``limit`` mentions waiting for their media that no other worker holds (released at commit)."""
        Mention = self.env["social_crm.mention"].sudo()
        Mention.flush_model(["media_state", "media_retry_at"])
        self.env.cr.execute(
            """
            SELECT id FROM social_crm_mention
             WHERE media_state = 'pending'
               AND (media_retry_at IS NULL OR media_retry_at <= now() AT TIME ZONE 'UTC')
             ORDER BY id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            [limit],
        )
        return Mention.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _fetch(self, mentions):
        clients = {}
        for mention in mentions:
            account = mention.account_id
            if account not in clients:
                try:
                    clients[account] = account._get_client()
                except (api_errors.SocialApiError, ValueError) as exc:  # no credentials yet: tried again later
                    clients[account] = api_errors.ApiError(str(exc), account.network)
            self._fetch_mention(mention, clients[account])

    @api.model
    def _fetch_mention(self, mention, client):
        refs = [dict(ref) for ref in (mention.external_data or {}).get("media") or () if isinstance(ref, dict)]
        network = get_client_class(mention.network).label if mention.network else ""
        retry = None
        for index, ref in enumerate(refs):
            if ref.get("stored") or ref.get("failed"):
                continue  # done by an earlier run: never downloaded twice
            try:
                if isinstance(client, Exception):
                    raise client
                if not hasattr(client, "media_content"):
                    raise NotImplementedError
                download = client.media_content(ref)
            except NotImplementedError:
                ref["failed"] = self._words("unsupported", ref, network)
            except (media_api.MediaGone, api_errors.NotFound):
                ref["failed"] = self._words("gone", ref, network)
            except media_api.MediaRefused as exc:
                ref["failed"] = self._words("too_large" if exc.code == "too_large" else "type", ref, network)
            except (api_errors.UnsafeAddress, api_errors.UnsafeId, api_errors.BadPayload) as exc:
                _logger.info("social_crm: media %s of mention %s refused: %s", index, mention.id, exc)
                ref["failed"] = self._words("unsafe" if isinstance(exc, ValueError) else "unreadable", ref, network)
            except Exception as exc:  # noqa: BLE001 - may pass (network down, rate limit): tried again, a few times
                retry = self._postpone(mention, index, ref, network, exc)
            else:
                try:
                    with self.env.cr.savepoint():
                        ref["stored"] = self._store(mention, ref, download, index).id
                except Exception as exc:  # noqa: BLE001 - never a poison pill that blocks the queue
                    retry = self._postpone(mention, index, ref, network, exc)
        pending = any(not ref.get("stored") and not ref.get("failed") for ref in refs)
        notes = [ref["failed"] for ref in refs if ref.get("failed")]
        vals = {
            "external_data": {**(mention.external_data or {}), "media": refs},
            "media_note": "\n".join(notes) or False,
        }
        if pending and retry is not None:
            attempts = mention.media_attempts + 1
            vals.update(
                media_attempts=attempts,
                media_retry_at=self.env.cr.now() + RETRY_BASE * 2 ** (attempts - 1),
                media_state="pending",
            )
        else:
            vals.update(
                media_state="done" if any(ref.get("stored") for ref in refs) or not notes else "failed",
                media_retry_at=False,
            )
        mention.write(vals)

    @api.model
    def _postpone(self, mention, index, ref, network, exc):
        """A failure that may pass: tried again later; after ``MAX_ATTEMPTS`` runs it is said in words."""
        _logger.info("social_crm: media %s of mention %s not downloaded yet: %s", index, mention.id, exc)
        if mention.media_attempts + 1 >= MAX_ATTEMPTS:
            ref["failed"] = self._words("retries", ref, network, error=str(exc)[:300])
        return exc

    @api.model
    def _store(self, mention, ref, download, index):
        name = (ref.get("name") or "").strip().replace("/", "_")[:200]
        if not name.lower().endswith("." + download.extension):
            name = f"{name or f'{download.kind}-{mention.id}-{index + 1}'}.{download.extension}"
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": download.data,
                    "mimetype": download.mimetype,
                    "res_model": ATTACHMENT_MODEL,
                    "res_id": mention.id,
                    "company_id": mention.company_id.id,
                    "description": (ref.get("alt") or "")[:1000] or False,
                }
            )
        )

    @api.model
    def _words(self, reason, ref, network, error=""):
        what = WHAT.get(ref.get("kind"), WHAT["file"])
        if reason == "gone":
            return self.env._("The %(what)s is no longer available from %(network)s.", what=what, network=network)
        if reason == "too_large":
            cap = media_api.CAPS.get(ref.get("kind"), media_api.CAPS["file"]) // media_api.MB
            return self.env._(
                "The %(what)s is larger than %(cap)s MB, the limit for this kind of file: it was not downloaded.",
                what=what,
                cap=cap,
            )
        if reason == "type":
            return self.env._(
                "The %(what)s was not stored: its content is not a type Odoo shows for it "
                "(pictures, sound, video or PDF).",
                what=what,
            )
        if reason == "unsafe":
            return self.env._(
                "The %(what)s was not downloaded: its address is not one of %(network)s's.", what=what, network=network
            )
        if reason == "unsupported":
            return self.env._("%(network)s does not let Odoo download this %(what)s.", what=what, network=network)
        if reason == "unreadable":
            return self.env._("%(network)s sent the %(what)s in a shape Odoo cannot read.", what=what, network=network)
        return self.env._(
            "The %(what)s could not be downloaded from %(network)s after %(count)s attempts: %(error)s",
            what=what,
            network=network,
            count=MAX_ATTEMPTS,
            error=error,
        )

    # ------------------------------------------------------------------
    # SHOW
    # ------------------------------------------------------------------

    @api.model
    def _chat_media(self, mentions):
        """``{mention id: {"media": [...], "media_note": str}}`` for the chat bubbles, read with the user's rights
        (one query for all the mentions)."""
        if not mentions:
            return {}
        attachments = self.env["ir.attachment"].search_fetch(
            [("res_model", "=", ATTACHMENT_MODEL), ("res_id", "in", mentions.ids)],
            ["name", "mimetype", "description", "res_id", "checksum", "file_size"],
            order="id",
        )
        result = {mention.id: {"media": [], "media_note": mention.media_note or ""} for mention in mentions}
        for attachment in attachments:
            mimetype = attachment.mimetype or ""
            if mimetype in media_api.IMAGES:
                kind = "image"
            elif mimetype in media_api.PLAYABLE:
                kind = "video" if mimetype.startswith("video/") else "audio"
            else:
                kind = "file"
            result[attachment.res_id]["media"].append(
                {
                    "id": attachment.id,
                    "kind": kind,
                    "name": attachment.name,
                    "alt": attachment.description or attachment.name,
                    "mimetype": mimetype,
                    "url": f"/web/{'image' if kind == 'image' else 'content'}/{attachment.id}"
                    f"?unique={attachment.checksum or ''}",
                    "download": f"/web/content/{attachment.id}?download=true",
                    "size": attachment.file_size,
                }
            )
        return result

    # ------------------------------------------------------------------
    # PERSONAL DATA
    # ------------------------------------------------------------------

    @api.model
    def _attachments_of(self, mentions):
        """The media stored for these mentions (superuser: the caller checked the mentions)."""
        return (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", ATTACHMENT_MODEL), ("res_id", "in", mentions.ids)], order="id")
        )

    @api.model
    def _erase_media(self, mentions):
        """Delete the media of these mentions (erasure): attachment rows now, their files at Odoo's next filestore
        clean-up; nothing is downloaded for them any more. Returns how many went."""
        attachments = self._attachments_of(mentions)
        count = len(attachments)
        attachments.unlink()
        mentions.filtered("media_state").write(
            {"media_state": False, "media_note": False, "media_attempts": 0, "media_retry_at": False}
        )
        return count

    @api.model
    def _export_media(self, mentions):
        """``[(row, bytes)]`` for a person's export: each file under ``media/`` with its name, type, size and
        checksum (SHA-1, as Odoo stores it)."""
        result = []
        for attachment in self._attachments_of(mentions):
            name = (attachment.name or "").replace("/", "_")
            row = {
                "mention_id": attachment.res_id,
                "name": attachment.name,
                "mimetype": attachment.mimetype,
                "size": attachment.file_size,
                "checksum": attachment.checksum,
                "file": f"media/{attachment.id}-{name}",
            }
            result.append((row, attachment.raw or b""))
        return result
