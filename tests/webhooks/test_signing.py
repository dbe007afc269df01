"""Signatures as receivers check them: with the `standardwebhooks` reference library."""

from __future__ import annotations

import json
import time

import pytest
from cryptography.fernet import InvalidToken
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ticketdesk.webhooks.signing import (
    decrypt_secret,
    encrypt_secret,
    new_secret,
    signature_header,
)

BODY = json.dumps({"type": "ticket.created", "data": {"ticket": None}}).encode()


def headers_for(secrets: list[str], msg_id: str = "msg_0123", at: int | None = None) -> dict:
    timestamp = int(time.time()) if at is None else at
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets, msg_id, timestamp, BODY),
    }


def test_a_signed_body_verifies_and_any_change_to_it_does_not() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    headers = headers_for([secret])
    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"created", b"deleted"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**headers, "webhook-id": "msg_other"})
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_during_a_rotation_both_secrets_verify() -> None:
    current, previous = new_secret(), new_secret()
    headers = headers_for([current, previous])
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(current).verify(BODY, headers)
    Webhook(previous).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_a_stale_timestamp_is_refused_by_receivers() -> None:
    secret = new_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, headers_for([secret], at=int(time.time()) - 3600))


def test_secrets_are_stored_encrypted_under_the_server_key() -> None:
    secret = new_secret()
    token = encrypt_secret(secret, "server-key")
    assert secret not in token
    assert decrypt_secret(token, "server-key") == secret
    with pytest.raises(InvalidToken):
        decrypt_secret(token, "another-server-key")
