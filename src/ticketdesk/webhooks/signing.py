"""Standard Webhooks secrets and signatures; secrets are kept encrypted at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _fernet(server_key: str) -> Fernet:
    digest = hashlib.sha256(f"ticketdesk-webhook-secrets:{server_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(secret: str, server_key: str) -> str:
    return _fernet(server_key).encrypt(secret.encode()).decode()


def decrypt_secret(token: str, server_key: str) -> str:
    return _fernet(server_key).decrypt(token.encode()).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the secret's decoded bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_header(secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """Space-separated signatures: during a rotation both the new and the old secret sign."""
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets_)
