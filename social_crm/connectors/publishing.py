"""Publishing (``social_crm.post``): what a network takes in a post and the checks before anything is sent."""

from datetime import datetime, timezone

from . import errors, netguard
from .models import Item


class PublishingMixin:
    """A network that can publish sets ``can_publish`` and implements ``publish``; ``publish_limits`` tells the
    composer what it takes."""

    can_publish = False
    publish_limits = {"max_length": 0, "max_images": 0, "needs_image": False, "link": False}

    def publish(self, text, link=None, media=()):
        """Publish a new post as the account; ``media`` is a sequence of ``models.Media``. Returns the posted
        ``Item`` (``is_own=True``, ``kind="post"``, ``external_id``, ``url``). Uploads media first where the
        network needs it."""
        raise errors.ApiError(f"{self.label} cannot publish posts.", self.network)

    # What ``publish`` shares: the checks before anything is sent (uploads to another host: ``send_elsewhere``).
    image_types = ("image/jpeg", "image/png", "image/gif", "image/webp")
    max_image_bytes = 5 * 1024 * 1024
    link_in_text = True  # the link is appended to the text (networks without a separate link field)

    def prepare_post(self, text, link=None, media=()):
        """``(text, link, media)`` checked against ``publish_limits``; ``text`` ends with the link when the
        network takes it in the text and it is not there yet. Raises ``errors.InvalidPost``; nothing is sent."""
        if not self.can_publish:
            raise errors.InvalidPost(f"{self.label} cannot publish posts.", self.network)
        limits = self.publish_limits
        text = (text or "").strip()
        link = (link or "").strip() or None
        media = list(media or ())
        if link:
            try:
                netguard.check_syntax(link)
            except errors.UnsafeAddress as exc:
                raise errors.InvalidPost(f"The link {link[:200]!r} is not a web address: {exc}", self.network) from exc
            if not limits.get("link"):
                raise errors.InvalidPost(f"{self.label} does not take links in posts.", self.network)
            if self.link_in_text and link not in text:
                text = f"{text}\n\n{link}" if text else link
        if not text and not media:
            raise errors.InvalidPost("The post is empty.", self.network)
        length = self.text_length(text)
        if limits.get("max_length") and length > limits["max_length"]:
            raise errors.InvalidPost(
                f"The post has {length} characters as {self.label} counts them; {self.label} allows "
                f"{limits['max_length']}.",
                self.network,
            )
        if limits.get("needs_image") and not media:
            raise errors.InvalidPost(f"{self.label} only publishes posts with an image.", self.network)
        if len(media) > limits.get("max_images", 0):
            raise errors.InvalidPost(
                f"{self.label} takes at most {limits.get('max_images', 0)} images in a post; {len(media)} were given.",
                self.network,
            )
        for image in media:
            if image.mimetype not in self.image_types:
                raise errors.InvalidPost(
                    f"{image.filename} is {image.mimetype or 'of an unknown type'}; {self.label} takes "
                    f"{', '.join(t.split('/')[1].upper() for t in self.image_types)} images.",
                    self.network,
                )
            if not image.data:
                raise errors.InvalidPost(f"{image.filename} is empty.", self.network)
            if len(image.data) > self.max_image_bytes:
                raise errors.InvalidPost(
                    f"{image.filename} takes {len(image.data) / 1e6:.1f} MB; {self.label} takes images up to "
                    f"{self.max_image_bytes / 1e6:.1f} MB.",
                    self.network,
                )
        return text, link, media

    # Meta's two-step publishing (Instagram, Threads): a media container is created, then published once ready.
    container_status_fields = ("status_code", "status")  # the field saying the state, the one giving the detail
    container_polls = 30
    container_poll_wait = 2.0  # seconds

    no_public_url_hint = ""  # what to do about an image without a public address, after the error's first words

    def _check_public_url(self, image):
        """``image.url`` when it is a public https address the network can fetch the image from (Meta's servers
        fetch it while the container is created, TikTok's while publishing), else ``errors.InvalidPost`` before
        anything is sent."""
        url = (image.url or "").strip()
        if not url:
            raise errors.InvalidPost(
                f"{self.label} fetches each image from a public web address, and {image.filename} has none"
                f"{self.no_public_url_hint}.",
                self.network,
            )
        try:
            netguard.check_syntax(url)
        except errors.UnsafeAddress as exc:
            raise errors.InvalidPost(f"The address of {image.filename} is not usable: {exc}", self.network) from exc
        if not url.lower().startswith("https://"):
            raise errors.InvalidPost(f"{self.label} needs an https:// address for {image.filename}.", self.network)
        return url

    def _wait_finished(self, container):
        """Poll the container until the network has prepared it; raise when it failed or took too long."""
        state_field, detail_field = self.container_status_fields
        for attempt in range(self.container_polls):
            state = self.request(
                "GET", f"/{self.segment(container)}", params={"fields": f"{state_field},{detail_field}"}
            )
            state = state if isinstance(state, dict) else {}
            code = state.get(state_field)
            if code in ("FINISHED", "PUBLISHED"):
                return
            if code in ("ERROR", "EXPIRED"):
                raise errors.ApiError(
                    f"{self.label} could not prepare the image ({code}: {state.get(detail_field) or 'no detail'}); "
                    "nothing was published.",
                    self.network,
                    code=code,
                )
            if attempt + 1 < self.container_polls:
                self.sleep(self.container_poll_wait)
        raise errors.ApiError(
            f"{self.label} was still preparing the image; nothing was published, try again later.", self.network
        )

    def _published_post(self, media_id, text, extra=None):
        """The post a published container became (Instagram, Threads), with its permalink when the network gives
        it (the post is out all the same when it does not)."""
        try:
            answer = self.request("GET", f"/{self.segment(media_id)}", params={"fields": "permalink"})
            permalink = answer.get("permalink") if isinstance(answer, dict) else None
        except errors.SocialApiError:
            permalink = None
        return Item(
            external_id=media_id,
            author=self.own(),
            text=text,
            posted_at=datetime.now(timezone.utc),
            url=permalink if isinstance(permalink, str) else "",
            root_id=media_id,
            is_own=True,
            kind="post",
            extra=dict(extra or {}),
        )
