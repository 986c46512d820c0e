"""Hand-off cases in Redis: one open case per person, escalation, the durable stream."""
import redis as redis_lib
import pytest

from mitra import cases


@pytest.fixture
def r(stack):
    # The stack's Redis, another database: these tests must not touch live conversations.
    client = redis_lib.Redis.from_url(stack.redis_url.rsplit("/", 1)[0] + "/5")
    client.flushdb()
    yield client
    client.flushdb()


def make(sender="s1", urgency=cases.NORMAL, **kw):
    return cases.Case(id="", sender=sender, urgency=urgency, reason="asked", language="km", **kw)


def test_new_case_is_stored_and_announced(r):
    case = cases.open_or_escalate(r, make(last_messages=[{"from": "person", "text": "ជួយផង"}]))
    stored = cases.Case.from_redis({k.decode(): v.decode() for k, v in r.hgetall(cases.case_key(case.id)).items()})
    assert stored.last_messages[0]["text"] == "ជួយផង"
    assert r.ttl(cases.case_key(case.id)) > 0
    entries = r.xrange(cases.STREAM)
    assert [e[1][b"case"].decode() for e in entries] == [case.id]


def test_second_handoff_escalates_the_open_case(r):
    first = cases.open_or_escalate(r, make())
    second = cases.open_or_escalate(r, make(urgency=cases.URGENT, indicators=["isolation"]))
    assert second.id == first.id and second.urgency == cases.URGENT
    events = [e[1][b"event"] for e in r.xrange(cases.STREAM)]
    assert events == [b"new", b"escalated"]


def test_repeated_request_is_not_announced_twice(r):
    cases.open_or_escalate(r, make())
    cases.open_or_escalate(r, make())
    assert r.xlen(cases.STREAM) == 1


def test_other_people_get_their_own_cases(r):
    a = cases.open_or_escalate(r, make("a"))
    b = cases.open_or_escalate(r, make("b"))
    assert a.id != b.id
