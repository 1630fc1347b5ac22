"""Paging: normalized pages, the first run's history, walking a newest-first list down to what the last run saw,
and the cursor state stored between runs."""

import json
from datetime import datetime, timedelta, timezone

from . import errors
from .models import FetchPage
from .utils import BadItem, parse_datetime, scrub_item


class PagingMixin:
    """What ``BaseClient.fetch`` implementations share to turn a network's list into ``FetchPage``s."""

    def make_page(self, raw_items, normalize, cursor, has_more):
        """Normalize raw items; a bad one is skipped with a line saying why."""
        items, skipped, seen = [], [], set()
        for index, raw in enumerate(raw_items):
            try:
                item = normalize(raw)
            except RecursionError:
                ident = raw.get("id") if isinstance(raw, dict) else None
                skipped.append(f"{self.label} item {index} (id={ident!r}): nested too deeply to be read")
                continue
            except BadItem as exc:
                ident = raw.get("id") if isinstance(raw, dict) else None
                skipped.append(f"{self.label} item {index} (id={ident!r}): {exc}")
                continue
            if item is None:
                continue
            item = scrub_item(item)
            if item.external_id in seen:
                continue
            seen.add(item.external_id)
            items.append(item)
        return FetchPage(items=items, cursor=cursor, has_more=has_more, skipped=skipped)

    def page_list(self, payload, key, what):
        """``payload[key]``, the list an answer holds; ``errors.BadPayload`` (naming ``what``) for another shape."""
        if not isinstance(payload, dict) or not isinstance(payload.get(key), list):
            raise errors.BadPayload(f"{self.label} sent {what} in an unknown shape.", self.network)
        return payload[key]

    def history_start(self):
        """How far back the first fetch goes: ``options["history_days"]`` before now, or None (newest page only)."""
        days = self.options.get("history_days")
        if days is None or days == "":
            return None
        return datetime.now(timezone.utc) - timedelta(days=max(int(days), 0))

    def drain(self, state, load_page, marker, newer, max_pages, first_run_pages=1, dated=None):
        """Walk a newest-first list down to what the last run saw, losslessly.

        ``state`` is ``{"mark", "resume", "pending"}``: ``mark`` is the newest
        marker fully saved, ``resume`` the page token to continue an unfinished
        walk, ``pending`` the newest marker of that walk. ``load_page(token)``
        returns ``(raw_items, next_token)``. Yields ``(raw_items, state, has_more)``
        where ``state`` may be stored once the items are saved.

        The first run reads the newest page only, or, when ``dated(raw)`` gives
        an item's date and ``history_start()`` is set, every page back to that
        date (at most ``max_pages``).
        """
        mark, token, pending = state.get("mark"), state.get("resume"), state.get("pending")
        # "seen": an earlier run found the list empty; everything on it now is new, so walk it whole.
        first_run = mark is None and not state.get("seen")
        since = self.history_start() if first_run and dated else None
        limit = (max_pages if since else first_run_pages) if first_run else max_pages
        for page_number in range(limit):
            raw_items, next_token = load_page(token)
            fresh = [raw for raw in raw_items if mark is None or newer(marker(raw), mark)]
            if pending is None:
                markers = [m for m in (marker(raw) for raw in raw_items) if m is not None]
                pending = max(markers, key=sort_key) if markers else mark
            reached_seen = len(fresh) < len(raw_items)
            if since:
                recent = [raw for raw in fresh if not _older(dated(raw), since)]
                reached_seen = reached_seen or len(recent) < len(fresh)
                fresh = recent
            done = reached_seen or not next_token or (first_run and page_number + 1 >= limit)
            if done:
                yield fresh, {"mark": pending if pending is not None else mark, "seen": True}, False
                return
            token = next_token
            yield fresh, {"mark": mark, "resume": token, "pending": pending, "seen": True}, True
        # Page budget spent: the stored state resumes the walk next run.


def _older(value, since):
    """True when ``value`` (a date in any form the networks use) is before ``since``; undated items are kept."""
    if value is None or value == "":
        return False
    try:
        return parse_datetime(value) < since
    except BadItem:
        return False


def sort_key(marker):
    """Order markers: numeric ids numerically, anything else as text."""
    if isinstance(marker, str) and marker.isdigit():
        return (0, int(marker), marker)
    return (1, 0, str(marker))


def newer_than(left, right):
    return sort_key(left) > sort_key(right)


def load_state(cursor):
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def dump_state(state):
    return json.dumps(state, sort_keys=True, separators=(",", ":"))
