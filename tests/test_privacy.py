"""Personal data at rest: a copy of Redis, read without MITRA_DATA_KEYS, shows no message
text and no chat id; keys can be rotated."""

import pytest
import redis as redis_lib
from cryptography.fernet import Fernet

from mitra import crypto
from scripts.redis_server import RedisServer
from tests.conftest import sender_of


def everything_in(client) -> str:
    """All of Redis's keys and values as one text, as an attacker with a dump would read it."""
    parts = []
    for name in client.scan_iter(count=1000):
        parts.append(name)
        kind = client.type(name)
        if kind == "string":
            parts.append(client.get(name) or "")
        elif kind == "hash":
            parts += [f"{k}={v}" for k, v in client.hgetall(name).items()]
        elif kind == "list":
            parts += client.lrange(name, 0, -1)
        elif kind == "set":
            parts += client.smembers(name)
        elif kind == "zset":
            parts += client.zrange(name, 0, -1)
        elif kind == "stream":
            parts += [str(fields) for _, fields in client.xrange(name)]
    return "\n".join(parts)


def test_a_redis_dump_holds_no_message_text_and_no_chat_id(person, telegram, redis_client):
    me = person()
    secret_words = "my employer Mr Somchai keeps my passport at 99 Moo 4 Rayong"
    me.wait_replies(me.say(secret_words))
    danger = "they lock us in at night and beat us, please come and get us"
    me.wait_replies(me.say(danger), count=2)
    telegram.wait_until(lambda: redis_client.get(f"mitra:case:open:{sender_of(me)}"))
    dump = everything_in(redis_client)
    for secret in ("Somchai", "Rayong", "beat us", str(me.chat_id)):
        assert secret not in dump, secret
    assert sender_of(me) in dump  # the conversation is there, under its one-way id


@pytest.fixture
def own_redis():
    server = RedisServer().start()
    yield server.url
    server.stop()


def test_rotation_re_encrypts_everything_with_the_new_key(own_redis, monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("MITRA_DATA_KEYS", old)
    client = redis_lib.Redis.from_url(own_redis, decode_responses=True)
    client.set("mitra:tracker:tg-1", crypto.encrypt('{"events": []}'), ex=600)
    client.set("mitra:chat:tg-1", crypto.encrypt("123456789"))
    client.hset("mitra:case:00001", mapping={"last_messages": crypto.encrypt("[]"), "status": "open"})
    client.rpush("mitra:inbox:tg-1", crypto.encrypt('{"chat_id": 1}'))
    client.set("mitra:chat:tg-2", "555")  # written before encryption was on
    monkeypatch.setenv("MITRA_DATA_KEYS", f"{new},{old}")
    assert crypto.rotate_all(own_redis) == 5
    monkeypatch.setenv("MITRA_DATA_KEYS", new)  # the old key is gone
    assert crypto.decrypt(client.get("mitra:tracker:tg-1")) == '{"events": []}'
    assert crypto.decrypt(client.get("mitra:chat:tg-1")) == "123456789"
    assert crypto.decrypt(client.hget("mitra:case:00001", "last_messages")) == "[]"
    assert crypto.decrypt(client.lindex("mitra:inbox:tg-1", 0)) == '{"chat_id": 1}'
    assert crypto.decrypt(client.get("mitra:chat:tg-2")) == "555"
    assert 0 < client.ttl("mitra:tracker:tg-1") <= 600  # expiry kept
    monkeypatch.setenv("MITRA_DATA_KEYS", old)
    with pytest.raises(crypto.CannotDecrypt):
        crypto.decrypt(client.get("mitra:chat:tg-1"))


def test_rasa_api_and_action_server_refuse_requests_without_their_token(stack):
    import httpx
    pause = httpx.post(f"{stack.rasa_url}/conversations/tg-x/tracker/events",
                       json={"event": "pause"}, timeout=30)
    assert pause.status_code == 401
    body = {"next_action": "action_switch_language", "sender_id": "tg-x",
            "tracker": {"sender_id": "tg-x", "slots": {}, "latest_message": {}, "events": []},
            "domain": {}}
    refused = httpx.post(f"{stack.action_url}/webhook", json=body, timeout=30)
    assert refused.status_code == 401
    allowed = httpx.post(f"{stack.action_url}/webhook", params={"token": stack.action_token},
                         json=body, timeout=30)
    assert allowed.status_code == 200
    assert allowed.json()["responses"][0]["response"] == "utter_choose_language"
    assert httpx.get(f"{stack.action_url}/health", timeout=30).status_code == 200


def test_after_forget_nothing_in_redis_refers_to_the_person(person, telegram, redis_client):
    from bot import texts
    from mitra.i18n import gettext
    me = person()
    me.wait_replies(me.say("they beat us and lock the door, we cannot get out"), count=2)
    telegram.wait_until(lambda: redis_client.get(f"mitra:case:open:{sender_of(me)}"))
    me.wait_replies(me.say("hello"))
    question = me.wait_for(lambda ms: ms and ms[-1]["text"] == gettext("en", texts.FORGET_CONFIRM),
                           after=me.say("/forget"))[-1]
    me.press(question, title=gettext("en", texts.FORGET_YES))
    done = gettext("en", texts.FORGET_DONE)
    telegram.wait_until(lambda: [m.get("text") for m in telegram.transcript(me.chat_id)] == [done])
    dump = everything_in(redis_client)
    assert sender_of(me) not in dump
    assert str(me.chat_id) not in dump
