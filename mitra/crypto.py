"""Encryption at rest for what could identify a person or tell their story: Rasa's
trackers (every message), the last messages in a hand-off case, the chat id behind a
person's id, and messages waiting in a person's inbox.

Keys come from MITRA_DATA_KEYS: comma-separated Fernet keys (AES-128-CBC + HMAC-SHA256,
from `cryptography`), newest first. The first encrypts; every one decrypts, so a key is
rotated by putting a new one first, running `python -m mitra.crypto rotate` (re-encrypts
everything stored with the new key), then removing the old one. Make a key with
`python -m mitra.crypto new-key`.

Without MITRA_DATA_KEYS a development key is used and a warning logged: a deployment sets
its own, and keeps it out of Redis, images and logs.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import sys
from functools import lru_cache
from typing import Optional, Union

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

logger = logging.getLogger(__name__)

DEV_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"mitra-development-only-data-key").digest())
# Fernet tokens are URL-safe base64 of a version byte 0x80 and more: they start like this.
TOKEN_PREFIX = "gAAAAA"


class CannotDecrypt(Exception):
    """Stored data that none of the keys opens (a key was removed too early)."""


@lru_cache(maxsize=4)
def _cipher(spec: str) -> MultiFernet:
    keys = [k.strip() for k in spec.split(",") if k.strip()]
    return MultiFernet([Fernet(k) for k in keys])


def cipher() -> MultiFernet:
    spec = os.environ.get("MITRA_DATA_KEYS", "").strip()
    if not spec:
        _warn_once()
        spec = DEV_KEY.decode()
    return _cipher(spec)


@lru_cache(maxsize=1)
def _warn_once() -> None:
    logger.warning("MITRA_DATA_KEYS is not set: personal data is encrypted with a "
                   "development key; set your own in production")


def encrypt(text: str) -> str:
    return cipher().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: Union[str, bytes]) -> str:
    """The plain text; data written before encryption was turned on is returned as is."""
    if isinstance(token, bytes):
        token = token.decode("utf-8")
    if not token.startswith(TOKEN_PREFIX):
        return token
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise CannotDecrypt("no key in MITRA_DATA_KEYS opens this value") from error


def rotate_value(token: Union[str, bytes]) -> Optional[str]:
    """The value under the newest key, or None when it is not ours to rotate."""
    if isinstance(token, bytes):
        token = token.decode("utf-8", "replace")
    if not token:
        return None
    if not token.startswith(TOKEN_PREFIX):
        return encrypt(token)  # written before encryption was turned on
    return cipher().rotate(token.encode("ascii")).decode("ascii")


def rotate_all(redis_url: str) -> int:
    """Re-encrypts everything personal in Redis with the first key; returns how many."""
    import redis

    from mitra import keys

    client = redis.Redis.from_url(redis_url)
    done = 0
    for name in client.scan_iter(match=f"{keys.PREFIX}tracker:*", count=500):
        done += _rotate_string(client, name)
    for name in client.scan_iter(match=f"{keys.PREFIX}chat:*", count=500):
        done += _rotate_string(client, name)
    for name in client.scan_iter(match=f"{keys.PREFIX}case:*", count=500):
        if client.type(name) == b"hash" and client.hexists(name, "last_messages"):
            new = rotate_value(client.hget(name, "last_messages") or b"")
            if new:
                client.hset(name, "last_messages", new)
                done += 1
    for name in client.scan_iter(match=f"{keys.PREFIX}inbox:*", count=500):
        for index, value in enumerate(client.lrange(name, 0, -1)):
            new = rotate_value(value)
            if new:
                client.lset(name, index, new)
                done += 1
    return done


def _rotate_string(client, name) -> int:
    value = client.get(name)
    new = rotate_value(value) if value else None
    if not new:
        return 0
    ttl = client.pttl(name)
    client.set(name, new, px=ttl if ttl and ttl > 0 else None)
    return 1


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["new-key"]:
        print(Fernet.generate_key().decode())
        return 0
    if args[:1] == ["rotate"]:
        url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        print(f"re-encrypted {rotate_all(url)} values with the first key of MITRA_DATA_KEYS")
        return 0
    print("usage: python -m mitra.crypto new-key | rotate", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
