"""Files in the fake Bot API: documents people send (tests post them), getFile and the
download path the bot fetches them from (`{file_url}{token}/{file_path}`, python-telegram-
bot's base_file_url, TELEGRAM_FILE_URL), and sendDocument (a multipart upload).

`FileMethods` is mixed into `FakeTelegram`; it keeps its files in `self.files` (file_id ->
bytes and metadata). `Member` is someone writing in a group chat, such as the admin chat.
"""
from __future__ import annotations

import copy
import itertools
import mimetypes
from typing import TYPE_CHECKING, Any, Dict, Optional, Union
from urllib.parse import unquote

from tests.fake_telegram import updates as make
from tests.fake_telegram.http_api import ApiError
from tests.fake_telegram.person import Person

if TYPE_CHECKING:
    from tests.fake_telegram.server import FakeTelegram

# Telegram's limits: bots download up to 20 MB and upload documents up to 50 MB.
MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_UPLOAD = 50 * 1024 * 1024
_numbers = itertools.count(1)


class FileMethods:
    """getFile, the download path and sendDocument, for `FakeTelegram`."""

    @property
    def file_url(self: "FakeTelegram") -> str:
        """TELEGRAM_FILE_URL for the bot."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def files(self) -> Dict[str, Dict[str, Any]]:
        return self.__dict__.setdefault("_files", {})

    def add_file(self, content: bytes, file_name: str,
                 mime_type: Optional[str] = None) -> Dict[str, Any]:
        """Stores a file as Telegram would; returns its Document object."""
        n = next(_numbers)
        document = {"file_id": f"DOC{n:06d}", "file_unique_id": f"UD{n:06d}",
                    "file_name": file_name, "file_size": len(content),
                    "mime_type": mime_type or mimetypes.guess_type(file_name)[0]
                    or "application/octet-stream"}
        self.files[document["file_id"]] = {**document, "content": bytes(content),
                                           "file_path": f"documents/file_{n}{_suffix(file_name)}"}
        return document

    def post_document(self: "FakeTelegram", chat: Dict[str, Any], sender: Dict[str, Any],
                      file_name: str, content: bytes, caption: Optional[str] = None
                      ) -> Dict[str, Any]:
        """Someone sends a file to a chat the bot is in."""
        with self.cond:
            fields: Dict[str, Any] = {"document": self.add_file(content, file_name)}
            if caption:
                fields["caption"] = caption
            return self.post_message(chat, sender, fields)

    def file_content(self, file_id: str) -> bytes:
        """What a document holds (the bot's sendDocument uploads too)."""
        return self.files[file_id]["content"]

    def download(self: "FakeTelegram", path: str) -> Optional[bytes]:
        """GET /file/bot<token>/<file_path>, or None when there is no such file."""
        with self.cond:
            _, _, rest = unquote(path).partition("/file/bot")
            _token, _, file_path = rest.partition("/")
            for stored in self.files.values():
                if stored["file_path"] == file_path:
                    return stored["content"]
            return None

    # -- Telegram's methods ----------------------------------------------------------
    def api_getFile(self, file_id: str = "", **_: Any) -> Dict[str, Any]:
        stored = self.files.get(file_id)
        if stored is None:
            raise ApiError("Bad Request: invalid file_id")
        if stored["file_size"] > MAX_DOWNLOAD:
            raise ApiError("Bad Request: file is too big")
        return {k: stored[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    def api_sendDocument(self: "FakeTelegram", chat_id: Any,
                         document: Union[str, Dict[str, Any]] = "", caption: Optional[str] = None,
                         reply_markup: Optional[Dict] = None, **params: Any) -> Dict[str, Any]:
        chat = self._chat(chat_id)
        if isinstance(document, dict):  # a multipart upload (see http_api)
            if not document["content"]:
                raise ApiError("Bad Request: file must be non-empty")
            if len(document["content"]) > MAX_UPLOAD:
                raise ApiError("Request Entity Too Large", 413)
            sent = self.add_file(document["content"], document["filename"] or "document",
                                 document.get("content_type"))
        elif document in self.files:  # a file_id sent again
            sent = {k: v for k, v in self.files[document].items()
                    if k not in ("content", "file_path")}
        else:
            raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")
        if caption and make.utf16_len(caption) > 1024:
            raise ApiError("Bad Request: message caption is too long")
        self._check_markup(reply_markup)
        message = {"message_id": self.new_message_id(chat["id"]), "date": make.now(),
                   "chat": chat, "from": self.bot_user, "document": sent}
        if caption:
            message["caption"] = caption
        if reply_markup and reply_markup.get("inline_keyboard"):
            message["reply_markup"] = reply_markup
        self._place(chat, message, params)
        self.messages[(chat["id"], message["message_id"])] = message
        return copy.deepcopy(message)

    def api_sendPhoto(self: "FakeTelegram", chat_id: Any, photo: Union[str, Dict[str, Any]] = "",
                      caption: Optional[str] = None, reply_markup: Optional[Dict] = None,
                      **params: Any) -> Dict[str, Any]:
        """An uploaded photo (multipart) as one PhotoSize; its bytes stay in `self.files`."""
        chat = self._chat(chat_id)
        if not isinstance(photo, dict) or not photo["content"]:
            raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")
        content = photo["content"]
        if len(content) > 10 * 1024 * 1024:
            raise ApiError("Bad Request: PHOTO_INVALID_DIMENSIONS")
        width, height = ((int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big"))
                         if content[:8] == b"\x89PNG\r\n\x1a\n" else (0, 0))
        if width + height > 10000 or min(width, height) and max(width, height) / min(width, height) > 20:
            raise ApiError("Bad Request: PHOTO_INVALID_DIMENSIONS")
        stored = self.add_file(content, photo["filename"] or "photo.png", photo.get("content_type"))
        size = {"file_id": stored["file_id"], "file_unique_id": stored["file_unique_id"],
                "file_size": stored["file_size"], "width": width, "height": height}
        if caption and make.utf16_len(caption) > 1024:
            raise ApiError("Bad Request: message caption is too long")
        self._check_markup(reply_markup)
        message = {"message_id": self.new_message_id(chat["id"]), "date": make.now(),
                   "chat": chat, "from": self.bot_user, "photo": [size]}
        if caption:
            message["caption"] = caption
        self._place(chat, message, params)
        self.messages[(chat["id"], message["message_id"])] = message
        return copy.deepcopy(message)

    # -- people in group chats ---------------------------------------------------------
    def member(self: "FakeTelegram", chat_id: int, user_id: int, status: Optional[str] = "member",
               language_code: Optional[str] = None, first_name: str = "Dara") -> "Member":
        """Someone in a group chat the bot knows (add_chat first); `status` is what
        getChatMember answers ("member", "administrator", ...; None: not a member)."""
        if status:
            self.members[(chat_id, user_id)] = status
        return Member(self, self.chats[chat_id], user_id, language_code, first_name)


class Member(Person):
    """Someone writing in a group chat; sees every bot message there."""

    def __init__(self, fake: "FakeTelegram", chat: Dict[str, Any], user_id: int,
                 language_code: Optional[str], first_name: str) -> None:
        super().__init__(fake, user_id, language_code, first_name)
        self.chat = chat
        self.chat_id = chat["id"]

    def send_document(self, file_name: str, content: Union[bytes, str],
                      caption: Optional[str] = None) -> int:
        data = content.encode("utf-8") if isinstance(content, str) else content
        return self.fake.post_document(self.chat, self.user, file_name, data,
                                       caption)["message_id"]


def _suffix(file_name: str) -> str:
    dot = file_name.rfind(".")
    return file_name[dot:] if dot > 0 else ""
