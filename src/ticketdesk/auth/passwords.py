"""Password hashing (argon2id), in a small thread pool of its own so the event loop never waits."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

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

# Each hash takes tens of milliseconds of CPU and 64 MiB: a few at a time, whatever the number
# of logins waiting (argon2-cffi releases the GIL, so the event loop keeps serving meanwhile).
HASHING_THREADS = max(1, min(4, os.cpu_count() or 1))
HASHING_THREAD_PREFIX = "ticketdesk-argon2"
_pool = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix=HASHING_THREAD_PREFIX)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_password_off_loop(password: str) -> str:
    """hash_password() in the hashing pool, for callers on the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_pool, hash_password, password)


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    """verify_password() in the hashing pool: a login never blocks other requests."""
    return await asyncio.get_running_loop().run_in_executor(
        _pool, verify_password, password_hash, password
    )
