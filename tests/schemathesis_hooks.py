"""Schemathesis hooks shared by the in-process run and the `st run` CLI (SCHEMATHESIS_HOOKS).

POST /inbound/email takes raw mail (`message/rfc822`): fuzz it with plausible messages and with
arbitrary bytes. `TICKETDESK_FUZZ_USER_ID` names the fuzzer's own user, which it leaves alone.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import schemathesis
from hypothesis import strategies as st


def _message(subject: str, body: str) -> bytes:
    return (
        "From: Ada <ada@example.com>\r\nTo: desk@example.com\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{uuid.uuid4().hex}@example.com>\r\n\r\n{body}"
    ).encode("utf-8", "surrogatepass")


schemathesis.openapi.media_type(
    "message/rfc822",
    st.one_of(
        st.binary(max_size=2000),
        st.builds(
            _message,
            st.text(max_size=80).map(lambda s: " ".join(s.split())),
            st.text(max_size=500),
        ),
    ),
)


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    """The fuzzer never edits its own user: a new password ends every session of that user,
    the fuzzer's own included (and the rest of the run would be 401s)."""
    own = os.environ.get("TICKETDESK_FUZZ_USER_ID")
    if (
        own
        and case.method.upper() == "PATCH"
        and case.operation.path.endswith("/users/{user_id}")
        and str((case.path_parameters or {}).get("user_id", "")).lower() == own.lower()
    ):
        case.path_parameters["user_id"] = str(uuid.UUID(int=0))
