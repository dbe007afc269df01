"""Password hashing (argon2id)."""

from __future__ import annotations

import os

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# The test suite creates thousands of users; it opts into argon2's cheapest parameters (same
# algorithm and code path). Never set this in production.
_hasher = (
    PasswordHasher.from_parameters(profiles.CHEAPEST)
    if os.environ.get("TICKETDESK_INSECURE_FAST_PASSWORD_HASHING") == "1"
    else PasswordHasher()
)
# verified against when the email is unknown, so timing does not reveal which emails exist
_DUMMY_HASH = _hasher.hash("ticketdesk-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
