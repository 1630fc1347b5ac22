"""A Telegram-style Bot API on loopback (Telegram's, and Bale's, which copies it): answers and updates.

Shapes as core.telegram.org/bots/api and docs.bale.ai document them: every method is ``POST /bot<token>/<method>``
answering ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description", "parameters"?}``.
"""

import json


def ok(result):
    """A successful Bot API answer."""
    return 200, {}, {"ok": True, "result": result}


def refused(status, description, **extra):
    """A Bot API error answer: the HTTP status is the ``error_code``."""
    return status, {}, {"ok": False, "error_code": status, "description": description, **extra}


def route(server, token, method, answer):
    """Serve the bot method ``method`` of ``token`` with ``answer`` (a fixed answer or a handler)."""
    server.route("POST", f"/bot{token}/{method}", answer)


def sent_message(sender, message_id, date, chat=None, **extra):
    """A sendMessage handler answering the Message sent: the chat and text of the request, from ``sender``."""

    def send_message(request):
        body = json.loads(request["body"])
        message = {
            **extra,
            "message_id": message_id,
            "from": sender,
            "chat": {"id": body["chat_id"], **(chat or {}), "type": "private"},
            "date": date,
            "text": body["text"],
        }
        return ok(message)

    return send_message


def callback_query(update_id, query_id, sender, data, message_id=None, date=None):
    """An update for an inline keyboard button pressed (with the bot's message it was under, when given)."""
    query = {"id": query_id, "from": sender}
    if message_id is not None:
        query["message"] = {"message_id": message_id, "chat": {"id": sender["id"], "type": "private"}, "date": date}
    return {"update_id": update_id, "callback_query": {**query, "data": data}}


def last_call(server, token, method):
    """The JSON body of the last request, checked to be ``method`` with the token in the path (no header)."""
    request = server.requests[-1]
    assert request["path"] == f"/bot{token}/{method}" and "Authorization" not in request["headers"]
    return json.loads(request["body"])
