"""The wizard's draft encryption: only the holder of the session's key can read it."""

from __future__ import annotations

import pytest

from recovery.lost import drafts

ANSWERS = {"msisdn": "+79161234567", "full_name": "Иванов Иван Иванович", "passport_digest": "ab" * 32}


def test_a_sealed_draft_opens_only_with_its_key_and_id():
    key, other_key = b"k" * 32, b"o" * 32
    payload = drafts._seal("draft-1", key, ANSWERS)
    assert "Иванов".encode() not in payload and b"79161234567" not in payload
    assert drafts._open("draft-1", key, payload) == ANSWERS
    assert drafts._open("draft-1", other_key, payload) is None
    # Moved to another row, the payload does not open either (the id is associated data).
    assert drafts._open("draft-2", key, payload) is None


def test_a_tampered_payload_does_not_open():
    key = b"k" * 32
    payload = bytearray(drafts._seal("draft-1", key, ANSWERS))
    payload[-1] ^= 1
    assert drafts._open("draft-1", key, bytes(payload)) is None


def test_each_save_uses_a_fresh_nonce():
    key = b"k" * 32
    assert drafts._seal("d", key, ANSWERS) != drafts._seal("d", key, ANSWERS)


@pytest.mark.parametrize("handle", [None, "", "no-dot", "a.b.c", "id.!!!", "id." + "A" * 10, 42])
def test_malformed_handles_are_refused(handle):
    assert drafts._split(handle) is None


def test_a_handle_carries_the_id_and_a_256_bit_key():
    key = b"\x01" * 32
    draft_id, parsed = drafts._split(f"abc.{drafts._encode(key)}")
    assert draft_id == "abc" and parsed == key
