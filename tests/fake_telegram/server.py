"""The fake Bot API's state and Telegram's methods, served by `http_api` in a thread.

Requests go to `{url}{token}/{method}` like Telegram's (`url` ends in "/bot"); answers are
Telegram's `{"ok": true, "result": ...}` or its errors.
"""
from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

from tests.fake_telegram import updates as make
from tests.fake_telegram.files import FileMethods
from tests.fake_telegram.http_api import ApiError, handler_for

BOT_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
DELETE_WINDOW = 48 * 3600
# What copyMessage carries over: the content, never who wrote it.
COPIED_FIELDS = {"text", "entities", "caption", "caption_entities", "photo", "voice", "audio",
                 "video", "video_note", "animation", "document", "sticker", "location",
                 "venue", "contact"}
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}


@dataclass
class Call:
    method: str
    params: Dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeTelegram(FileMethods):
    def __init__(self, host: str = "127.0.0.1", port: int = 0, local_chat: bool = False,
                 bot_username: str = "mitra_test_bot") -> None:
        self.cond = threading.Condition(threading.RLock())
        self.calls: List[Call] = []
        self.bot_user = {"id": 7000001, "is_bot": True, "first_name": "Mitra",
                         "username": bot_username, "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.chats: Dict[int, Dict[str, Any]] = {}
        self.messages: Dict[Tuple[int, int], Dict[str, Any]] = {}  # visible messages
        self.deleted: List[Tuple[int, int]] = []
        self.commands: Dict[Tuple[str, str], List[Dict[str, str]]] = {}
        self.members: Dict[Tuple[int, int], str] = {}
        self.topics: Dict[int, Dict[int, str]] = {}  # forum chat id -> thread id -> name
        self.callback_queries: Dict[str, Dict[str, Any]] = {}
        self.webhook: Optional[Dict[str, Any]] = None
        self.version = 0  # grows with every change; the local chat page waits on it
        self._updates: List[Dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: Dict[int, itertools.count] = {}
        self._query_ids = itertools.count(1)
        self._stopping = False
        self.local_chat = local_chat
        self.server = ThreadingHTTPServer((host, port), handler_for(self))
        self.server.daemon_threads = True
        self._threads: List[threading.Thread] = []

    # -- lifecycle -------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        """TELEGRAM_API_URL for the bot."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> "FakeTelegram":
        for target in (self.server.serve_forever, self._deliver_to_webhook):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        with self.cond:
            self._stopping = True
            self.cond.notify_all()
        self.server.shutdown()
        self.server.server_close()

    # -- what tests and the local chat do --------------------------------------------
    def changed(self) -> None:
        self.version += 1
        self.cond.notify_all()

    def inject(self, update: Dict[str, Any]) -> Dict[str, Any]:
        """Makes an update available to the bot, as Telegram would."""
        with self.cond:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self.changed()
            return update

    def add_chat(self, chat: Dict[str, Any]) -> None:
        with self.cond:
            self.chats.setdefault(chat["id"], chat)
            self.changed()

    def person(self, chat_id: int, language_code: Optional[str] = None,
               first_name: str = "Sok") -> "Person":
        from tests.fake_telegram.person import Person
        return Person(self, chat_id, language_code, first_name)

    def new_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def post_message(self, chat: Dict[str, Any], sender: Dict[str, Any],
                     fields: Dict[str, Any], update_type: str = "message") -> Dict[str, Any]:
        """A message written by a person (or posted in a channel), delivered to the bot."""
        with self.cond:
            self.chats.setdefault(chat["id"], chat)
            message = {"message_id": self.new_message_id(chat["id"]), "date": make.now(),
                       "chat": chat, **fields}
            if sender is not None:
                message["from"] = sender
            self.messages[(chat["id"], message["message_id"])] = message
            self.inject({update_type: message})
            return message

    def edit_message(self, chat_id: int, message_id: int, text: str) -> Dict[str, Any]:
        with self.cond:
            message = self.messages[(chat_id, message_id)]
            message.update(text=text, edit_date=make.now(), entities=make.command_entities(text))
            return self.inject({"edited_message": copy.deepcopy(message)})

    def press(self, chat_id: int, message_id: int, data: str,
              sender: Optional[Dict[str, Any]] = None) -> str:
        """A person presses a button (or a forged client sends any data)."""
        with self.cond:
            message = self.messages[(chat_id, message_id)]
            query_id = str(next(self._query_ids))
            query = {"id": query_id, "from": sender or make.user(chat_id),
                     "chat_instance": str(chat_id), "message": copy.deepcopy(message),
                     "data": data}
            self.callback_queries[query_id] = {**query, "answered": None}
            self.inject({"callback_query": query})
            return query_id

    def wait_until(self, predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the fake Telegram did not see what was expected")
                self.cond.wait(remaining)

    def calls_of(self, method: str, **match: Any) -> List[Call]:
        with self.cond:
            return [c for c in self.calls if c.method == method
                    and all(c.params.get(k) == v for k, v in match.items())]

    def transcript(self, chat_id: int) -> List[Dict[str, Any]]:
        """The chat as its members see it now: visible messages in order."""
        with self.cond:
            found = [m for (c, _), m in self.messages.items() if c == chat_id]
            return copy.deepcopy(sorted(found, key=lambda m: m["message_id"]))

    # -- Telegram's methods ----------------------------------------------------------
    def call(self, method: str, params: Dict[str, Any]) -> Any:
        with self.cond:
            self.calls.append(Call(method, params))
            self.changed()
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                raise ApiError("Not Found", 404)
            return handler(**params)

    def api_getMe(self, **_: Any) -> Dict[str, Any]:
        return self.bot_user

    def api_logOut(self, **_: Any) -> bool:
        return True

    def api_close(self, **_: Any) -> bool:
        return True

    def api_getUpdates(self, offset: int = 0, limit: int = 100, timeout: int = 0,
                       **_: Any) -> List[Dict[str, Any]]:
        if self.webhook:
            raise ApiError("Conflict: can't use getUpdates method while webhook is active; "
                           "use deleteWebhook to delete the webhook first", 409)
        deadline = time.monotonic() + float(timeout or 0)
        while True:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if self._updates or self._stopping or time.monotonic() >= deadline:
                return copy.deepcopy(self._updates[: limit or 100])
            self.cond.wait(max(0.0, deadline - time.monotonic()))

    def api_setWebhook(self, url: str = "", secret_token: Optional[str] = None,
                       **params: Any) -> bool:
        self.webhook = {"url": url, "secret_token": secret_token, **params} if url else None
        return True

    def api_deleteWebhook(self, drop_pending_updates: bool = False, **_: Any) -> bool:
        self.webhook = None
        if drop_pending_updates:
            self._updates.clear()
        return True

    def api_getWebhookInfo(self, **_: Any) -> Dict[str, Any]:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    def api_setMyCommands(self, commands: List[Dict[str, str]], scope: Optional[Dict] = None,
                          language_code: str = "", **_: Any) -> bool:
        if len(commands) > 100:
            raise ApiError("Bad Request: too many commands")
        for command in commands:
            if not BOT_COMMAND.match(command.get("command", "")):
                raise ApiError("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError("Bad Request: command description is invalid")
        self.commands[((scope or {}).get("type", "default"), language_code)] = commands
        return True

    def api_getMyCommands(self, scope: Optional[Dict] = None, language_code: str = "",
                          **_: Any) -> List[Dict[str, str]]:
        return self.commands.get(((scope or {}).get("type", "default"), language_code), [])

    def api_deleteMyCommands(self, scope: Optional[Dict] = None, language_code: str = "",
                             **_: Any) -> bool:
        self.commands.pop(((scope or {}).get("type", "default"), language_code), None)
        return True

    def _chat(self, chat_id: Any) -> Dict[str, Any]:
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError("Bad Request: chat not found")
        return chat

    @staticmethod
    def _check_markup(markup: Optional[Dict[str, Any]]) -> None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError("Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                    raise ApiError("Bad Request: BUTTON_DATA_INVALID")

    def api_sendMessage(self, chat_id: Any, text: str = "", reply_markup: Optional[Dict] = None,
                        entities: Optional[List[Dict]] = None, **params: Any) -> Dict[str, Any]:
        chat = self._chat(chat_id)
        if not text.strip():
            raise ApiError("Bad Request: message text is empty")
        length = make.utf16_len(text)
        if length > 4096:
            raise ApiError("Bad Request: message is too long")
        for entity in entities or []:
            if entity["offset"] < 0 or entity["offset"] + entity["length"] > length:
                raise ApiError("Bad Request: can't parse entities: entity beyond the end of the text")
        self._check_markup(reply_markup)
        message = {"message_id": self.new_message_id(chat["id"]), "date": make.now(),
                   "chat": chat, "from": self.bot_user, "text": text}
        if entities:
            message["entities"] = entities
        if reply_markup and reply_markup.get("inline_keyboard"):
            message["reply_markup"] = reply_markup
        self._place(chat, message, params)
        self.messages[(chat["id"], message["message_id"])] = message
        return copy.deepcopy(message)

    def _place(self, chat: Dict[str, Any], message: Dict[str, Any], params: Dict[str, Any]) -> None:
        """A message's topic (forum groups) and the message it replies to, as Telegram
        checks and reports them."""
        thread = params.get("message_thread_id")
        if thread:
            if not chat.get("is_forum") or thread not in self.topics.get(chat["id"], {}):
                raise ApiError("Bad Request: message thread not found")
            message.update(message_thread_id=thread, is_topic_message=True)
        reply = params.get("reply_parameters") or (
            {"message_id": params["reply_to_message_id"]} if params.get("reply_to_message_id") else None)
        if reply:
            original = self.messages.get((chat["id"], reply["message_id"]))
            if original is not None:
                message["reply_to_message"] = {k: v for k, v in original.items()
                                               if k != "reply_to_message"}
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError("Bad Request: message to be replied not found")

    def api_copyMessage(self, chat_id: Any, from_chat_id: Any, message_id: int,
                        reply_markup: Optional[Dict] = None, **params: Any) -> Dict[str, Any]:
        chat = self._chat(chat_id)
        original = self.messages.get((from_chat_id, message_id))
        if original is None:
            raise ApiError("Bad Request: message to copy not found")
        content = {k: copy.deepcopy(v) for k, v in original.items() if k in COPIED_FIELDS}
        message = {"message_id": self.new_message_id(chat["id"]), "date": make.now(),
                   "chat": chat, "from": self.bot_user, **content}
        self._check_markup(reply_markup)
        if reply_markup and reply_markup.get("inline_keyboard"):
            message["reply_markup"] = reply_markup
        self._place(chat, message, params)
        self.messages[(chat["id"], message["message_id"])] = message
        return {"message_id": message["message_id"]}

    def api_createForumTopic(self, chat_id: Any, name: str = "", **_: Any) -> Dict[str, Any]:
        chat = self._chat(chat_id)
        if not chat.get("is_forum"):
            raise ApiError("Bad Request: the chat is not a forum")
        if not 1 <= len(name) <= 128:
            raise ApiError("Bad Request: TOPIC_TITLE_EMPTY")
        thread = self.new_message_id(chat["id"])  # a topic's id is its creation message's
        self.topics.setdefault(chat["id"], {})[thread] = name
        return {"message_thread_id": thread, "name": name, "icon_color": 7322096}

    def api_sendChatAction(self, chat_id: Any, action: str = "", **_: Any) -> bool:
        self._chat(chat_id)
        if action not in CHAT_ACTIONS:
            raise ApiError("Bad Request: wrong parameter action in request")
        return True

    def _own_message(self, chat_id: Any, message_id: int) -> Dict[str, Any]:
        message = self.messages.get((chat_id, message_id))
        if message is None:
            raise ApiError("Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError("Bad Request: message can't be edited")
        return message

    def api_editMessageReplyMarkup(self, chat_id: Any, message_id: int,
                                   reply_markup: Optional[Dict] = None, **_: Any) -> Dict[str, Any]:
        message = self._own_message(chat_id, message_id)
        self._check_markup(reply_markup)
        new = reply_markup if reply_markup and reply_markup.get("inline_keyboard") else None
        if new == message.get("reply_markup"):
            raise ApiError("Bad Request: message is not modified: specified new message "
                           "content and reply markup are exactly the same")
        if new is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new
        message["edit_date"] = make.now()
        return copy.deepcopy(message)

    def api_editMessageText(self, chat_id: Any, message_id: int, text: str = "",
                            reply_markup: Optional[Dict] = None, **_: Any) -> Dict[str, Any]:
        message = self._own_message(chat_id, message_id)
        if text == message.get("text") and reply_markup == message.get("reply_markup"):
            raise ApiError("Bad Request: message is not modified")
        message.update(text=text, edit_date=make.now())
        self._check_markup(reply_markup)
        if reply_markup and reply_markup.get("inline_keyboard"):
            message["reply_markup"] = reply_markup
        else:
            message.pop("reply_markup", None)
        return copy.deepcopy(message)

    def api_answerCallbackQuery(self, callback_query_id: str, text: Optional[str] = None,
                                **params: Any) -> bool:
        query = self.callback_queries.get(str(callback_query_id))
        if query is None:
            raise ApiError("Bad Request: query is too old and response timeout expired or "
                           "query ID is invalid")
        if text and len(text) > 200:
            raise ApiError("Bad Request: MESSAGE_TOO_LONG")
        query["answered"] = {"text": text, **params}
        return True

    def _delete(self, chat_id: Any, message_id: int) -> bool:
        message = self.messages.get((chat_id, message_id))
        if message is None or time.time() - message["date"] > DELETE_WINDOW:
            return False
        del self.messages[(chat_id, message_id)]
        self.deleted.append((chat_id, message_id))
        return True

    def api_deleteMessage(self, chat_id: Any, message_id: int, **_: Any) -> bool:
        self._chat(chat_id)
        if not self._delete(chat_id, message_id):
            raise ApiError("Bad Request: message to delete not found")
        return True

    def api_deleteMessages(self, chat_id: Any, message_ids: List[int], **_: Any) -> bool:
        self._chat(chat_id)
        if not 1 <= len(message_ids) <= 100:
            raise ApiError("Bad Request: message_ids must contain 1-100 ids")
        for message_id in message_ids:
            self._delete(chat_id, message_id)  # Telegram skips what it cannot delete
        return True

    def api_getChat(self, chat_id: Any, **_: Any) -> Dict[str, Any]:
        # A ChatFullInfo: the chat plus what Telegram always adds.
        return {"accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                        "unique_gifts": False, "premium_subscription": False,
                                        "gifts_from_channels": False},
                **self._chat(chat_id)}

    def api_getChatMember(self, chat_id: Any, user_id: int, **_: Any) -> Dict[str, Any]:
        self._chat(chat_id)
        status = self.members.get((chat_id, user_id), "left")
        return {"status": status, "user": make.user(user_id)}

    # -- webhook delivery ------------------------------------------------------------
    def _deliver_to_webhook(self) -> None:
        while True:
            with self.cond:
                while not (self._stopping or (self.webhook and self._updates)):
                    self.cond.wait(1.0)
                if self._stopping:
                    return
                hook, update = dict(self.webhook), self._updates[0]
            request = urllib.request.Request(
                hook["url"], data=json.dumps(update).encode(), method="POST",
                headers={"Content-Type": "application/json"},
            )
            if hook.get("secret_token"):
                request.add_header("X-Telegram-Bot-Api-Secret-Token", hook["secret_token"])
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    delivered = response.status == 200
            except OSError:
                delivered = False
            with self.cond:
                if delivered and self._updates and self._updates[0] is update:
                    self._updates.pop(0)
                    self.changed()
                elif not delivered:
                    self.cond.wait(0.5)
