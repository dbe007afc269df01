"""An API process pays for the learning only once a workspace has a model to serve."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from ticketdesk.app import create_app
create_app()
print(sorted(m for m in ("sklearn", "scipy", "numpy", "onnxruntime") if m in sys.modules))
"""


def test_starting_the_api_loads_no_learning_library() -> None:
    # a fresh interpreter: this test process has imported the learning for other tests
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
