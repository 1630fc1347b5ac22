"""Pictures and files people send: references kept from deliveries, capped downloads, types read from the bytes.

A messaging client keeps each media item of a message as a plain dict in ``Item.extra["media"]``
(``reference(...)``): its kind, the network's id or URL, and what the network declares (type, name,
size, alt text). Nothing is downloaded while a webhook is answered: Odoo's media cron later calls the
client's ``media_content(ref)``, which goes through ``download`` here:

- only from the network's own hosts (``check_vendor_host``), through ``netguard`` (private addresses
  refused unless allowed, every redirect hop re-checked, credentials never sent to another host);
- at most ``CAPS[kind]`` bytes (a ``Content-Length`` over the cap is refused before reading, a body
  that grows past it is cut);
- the type decided from the first bytes (``sniff``), never from the name or the declared type: bytes
  that are not an allowed type for the kind are refused (``MediaRefused``), SVG and HTML never pass.

Errors: ``MediaGone`` (the network no longer has it: expired id, 404/410), ``MediaRefused`` (too large,
a type not allowed); anything else is a ``SocialApiError`` of the client (retried later by the cron).
"""

import hashlib
from dataclasses import dataclass

from . import errors, netguard

KINDS = ("image", "sticker", "video", "audio", "file", "thumbnail")
MB = 1024 * 1024
# Bytes kept at most per kind (README, "Pictures and files"): a thumbnail is a public post's preview image.
CAPS = {
    "image": 10 * MB,
    "sticker": 1 * MB,
    "audio": 16 * MB,
    "video": 20 * MB,
    "file": 20 * MB,
    "thumbnail": 2 * MB,
}
IMAGES = ("image/jpeg", "image/png", "image/gif", "image/webp")
AUDIO = ("audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/amr", "audio/wav", "audio/webm")
VIDEO = ("video/mp4", "video/webm", "video/quicktime", "video/3gpp", "video/ogg")
ALLOWED = {
    "image": IMAGES,
    "thumbnail": IMAGES,
    "sticker": IMAGES,
    "audio": AUDIO + ("video/mp4", "video/webm", "video/ogg"),  # a voice note in a video container
    "video": VIDEO + ("audio/mp4",),
    "file": IMAGES + AUDIO + VIDEO + ("application/pdf",),
}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/amr": "amr",
    "audio/wav": "wav",
    "audio/webm": "weba",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/quicktime": "mov",
    "video/3gpp": "3gp",
    "video/ogg": "ogv",
    "application/pdf": "pdf",
}
# What a browser plays in <video>/<audio> (the others are offered as a download).
PLAYABLE = ("video/mp4", "video/webm", "video/ogg", "audio/ogg", "audio/mpeg", "audio/mp4", "audio/wav", "audio/webm")
CHUNK = 64 * 1024


class MediaGone(errors.NotFound):
    """The network no longer has the content (expired id, deleted, 404/410): asking again will not help."""


class MediaRefused(errors.ApiError):
    """The content was not kept: ``code`` is ``"too_large"`` or ``"type"`` (its bytes are not an allowed type)."""


@dataclass
class Download:
    """Content fetched and checked: ``mimetype`` was read from the bytes."""

    data: bytes
    mimetype: str
    kind: str

    @property
    def extension(self):
        return EXTENSIONS.get(self.mimetype, "bin")

    @property
    def checksum(self):
        return hashlib.sha1(self.data).hexdigest()  # noqa: S324 - the same checksum as ir.attachment's


def reference(kind, *, ref="", url="", mimetype="", name="", size=None, alt="", extra=None):
    """One media item of a message as ``Item.extra["media"]`` keeps it (JSON-serializable, empty values left out)."""
    if kind not in KINDS:
        kind = "file"
    kept = {"kind": kind, "ref": ref, "url": url, "mimetype": mimetype, "name": name, "size": size, "alt": alt}
    kept.update(extra or {})
    result = {}
    for key, value in kept.items():
        if isinstance(value, bool) or value in (None, ""):
            continue
        if isinstance(value, int):
            result[key] = value
        elif isinstance(value, str):
            result[key] = value[:2000]
    return result


def sniff(data):
    """The MIME type the first bytes prove, or "" when they match no type this module knows."""
    head = bytes(data[:64])
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"OggS"):
        return "video/ogg" if b"\x80theora" in bytes(data[:256]) else "audio/ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM (Matroska with the webm doctype)
        return "video/webm" if b"webm" in bytes(data[:64]) else ""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B ", b"M4P ", b"F4A "):
            return "audio/mp4"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand.startswith(b"3g"):
            return "video/3gpp"
        return "video/mp4"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
            return "audio/aac"  # ADTS
        return "audio/mpeg"
    return ""


def check_content(data, kind, label="", declared="", network=None):
    """A ``Download`` of ``data`` when its bytes are an allowed type for ``kind``, else ``MediaRefused``."""
    if not data:
        raise MediaRefused(f"{label or 'The network'} sent an empty file.", network, code="type")
    mimetype = sniff(data)
    if mimetype not in ALLOWED.get(kind, ()):
        said = f" (declared {declared[:80]})" if declared else ""
        what = mimetype or "of no type this addon accepts"
        raise MediaRefused(
            f"The {kind} from {label or 'the network'} is {what}{said}; a {kind} may be "
            f"{', '.join(EXTENSIONS[t].upper() for t in ALLOWED[kind])}: it was not stored.",
            network,
            code="type",
        )
    return Download(data=data, mimetype=mimetype, kind=kind)


def too_large(kind, label, network, size=None):
    cap = CAPS.get(kind, CAPS["file"])
    measured = f" ({size / MB:.1f} MB)" if size else ""
    return MediaRefused(
        f"The {kind} from {label} is larger than {cap // MB} MB{measured}, the limit for a {kind}: it was not "
        "downloaded.",
        network,
        code="too_large",
    )


def check_vendor_host(client, url, hosts=()):
    """``url`` if its host is the network's (one of ``hosts``, a name or a ``.suffix``) or the account's own
    origin; else ``errors.UnsafeAddress``: a media address given in a delivery never leads elsewhere."""
    netguard.check_syntax(url)
    scheme, host, _port = netguard.origin(url)
    if netguard.origin(url) in client.trusted_origins():
        return url
    if scheme == "https" and any(host == h or (h.startswith(".") and host.endswith(h)) for h in hosts):
        return url
    raise errors.UnsafeAddress(
        f"The media address {netguard.describe_origin(url)} is not one of {client.label}'s hosts: it was not "
        "downloaded.",
        client.network,
    )


def download(client, url, kind, *, with_credentials=True, declared="", headers=None):
    """GET ``url`` through the client's guarded session, at most ``CAPS[kind]`` bytes, typed from its bytes.

    ``with_credentials``: the account's token goes along (only to ``url``'s own host: a redirect to another
    host is refused). 404 and 410 raise ``MediaGone``; other error answers the client's typed errors."""
    cap = CAPS.get(kind, CAPS["file"])
    netguard.check_syntax(url)
    sent_headers = {**(client.auth_headers() if with_credentials else {}), **(headers or {})}
    with client.timed_exchange():
        response = client._send("GET", url, headers=sent_headers)
        try:
            if response.status_code in (404, 410):
                raise MediaGone(
                    f"{client.label} no longer has this {kind} (answered {response.status_code}).",
                    client.network,
                )
            if response.status_code >= 400:
                response._social_body = _read(response, MB, client, kind)
                client.raise_for_error(response, client.decode(response, strict=False))
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > cap:
                raise too_large(kind, client.label, client.network, int(length))
            data = _read(response, cap, client, kind)
        finally:
            response.close()
    client.answered += 1
    return check_content(data, kind, client.label, declared, client.network)


def _read(response, cap, client, kind):
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK):
        client._check_deadline()
        size += len(chunk)
        if size > cap:
            raise too_large(kind, client.label, client.network)
        chunks.append(chunk)
    return b"".join(chunks)
