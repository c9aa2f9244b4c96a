"""Table tests: each log format, detection, and the kinds of values matched."""

from __future__ import annotations

import pytest

from kawan.match.formats import detect, layout
from kawan.match.index import Index, Row
from kawan.match.scan import scan_chunk

ROWS = [
    Row("indicator--dom", "identity--a", "amber", "d:evil.com"),
    Row("indicator--ip", "identity--a", "green", "4:203.0.113.7"),
    Row("indicator--net", "identity--a", "green", "4:198.51.100.0/24"),
    Row("indicator--url", "identity--a", "green", "u:http://bad.example.org/login?x=1"),
    Row("indicator--mail", "identity--a", "green", "e:scam@phish.net"),
    Row("indicator--hash", "identity--a", "green", "h:" + "ab" * 32),
    Row("indicator--v6", "identity--a", "green", "6:2001:db8::1"),
    Row("indicator--idn", "identity--a", "green", "d:xn--bcher-kva.de"),
    Row("indicator--phone", "identity--a", "green", "p:+84912345678"),
]
INDEX = Index(ROWS)
ZEEK = (
    "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tquery\tanswers\n"
    "1.0\tC1\t10.0.0.1\tWWW.Evil.COM\t1.1.1.1\n"
    "2.0\tC2\t10.0.0.1\tgood.com\t198.51.100.77,2001:db8::1\n"
)

CASES = [
    ("zeek", ZEEK, {(3, "query", "indicator--dom"), (4, "answers", "indicator--net"),
                    (4, "answers", "indicator--v6")}),
    ("zeek-json", '{"ts":1,"uid":"C1","query":"a.evil.com","answers":["203.0.113.7"]}\n',
     {(1, "query", "indicator--dom"), (1, "answers", "indicator--ip")}),
    ("jsonl", '{"msg":{"url":"http:\\/\\/bad.example.org:80\\/login?x=1"}}\n',
     {(1, "msg.url", "indicator--url")}),
    ("squid", "1767225600.123    45 10.0.0.1 TCP_MISS/200 512 CONNECT evil.com:443 - "
              "HIER_DIRECT/203.0.113.7 -\n",
     {(1, "url", "indicator--dom"), (1, "hierarchy", "indicator--ip")}),
    ("combined", '203.0.113.7 - - [01/Jan/2026:00:00:00 +0000] "GET /x HTTP/1.1" 200 5 '
                 '"http://bad.example.org/login?x=1" "curl"\n',
     {(1, "client", "indicator--ip"), (1, "referer", "indicator--url")}),
    ("csv", "time,sender,body\n1,+84912345678,\"see bücher.de, mail scam@PHISH.net\"\n",
     {(2, "sender", "indicator--phone"), (2, "body", "indicator--idn"),
      (2, "body", "indicator--mail")}),
    ("syslog", "Jan  1 00:00:00 fw1 sshd[22]: accepted from 198.51.100.9 file " + "AB" * 32
               + "\n",
     {(1, "message", "indicator--net"), (1, "message", "indicator--hash")}),
    ("text", "Warning: hxxp://bad.example[.]org/login?x=1 and evil[.]com, call 091 234 5678\n",
     {(1, "text", "indicator--url"), (1, "text", "indicator--dom"),
      (1, "text", "indicator--phone")}),
]  # fmt: skip


@pytest.mark.parametrize(("fmt", "log", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_format_matches_what_it_should(fmt: str, log: str, expected: set[object]) -> None:
    head = log.splitlines()
    assert detect(head) == fmt or fmt in ("jsonl", "text", "csv")
    hits = scan_chunk(INDEX, layout(fmt, head), log.encode(), True, country="VN")
    assert {(h.line, h.field, ROWS[h.row].indicator) for h in hits} == expected


@pytest.mark.parametrize(
    ("first", "fmt"),
    [
        ("#separator \\x09", "zeek"),
        ('{"ts": 1, "uid": "C1"}', "zeek-json"),
        ('{"a": 1}', "jsonl"),
        ("1767225600.123    45 10.0.0.1 TCP_MISS/200 512 GET http://a/ - HIER_NONE/- -", "squid"),
        ('1.2.3.4 - - [01/Jan/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 5', "combined"),
        ("<34>Oct 11 22:14:15 host su: hello", "syslog"),
        ("just words", "text"),
    ],
)
def test_detect(first: str, fmt: str) -> None:
    assert detect([first]) == fmt


def test_lines_with_nothing_interesting_are_not_even_candidates() -> None:
    log = b"hello world\n1767225600.123 0.5 T F 42\nnotevil.com 11.2.3.45\n"
    assert INDEX.fast.candidate_lines(log) == []
