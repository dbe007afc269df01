"""What training reads of a ticket, without the learning: the fields it learns, the text it
reads, one example. Light on purpose: the API imports this at start, and the learning
(scikit-learn, SciPy, NumPy, some 100 MB) only when a workspace has a model to serve."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SINGLE_FIELDS = ("type", "category", "priority", "team")
FIELDS = (*SINGLE_FIELDS, "labels")
MAX_TEXT_CHARS = 2_000
# beside the fields in a run's metrics: how the run went (similarity, embedding figures)
TRAINING_KEY = "training"


@dataclass
class Example:
    """One ticket as training sees it (team: the team id as text)."""

    ticket_id: str
    created_at: datetime
    text: str
    solved: bool
    type: str | None = None
    category: str | None = None
    priority: str | None = None
    team: str | None = None
    labels: list[str] = field(default_factory=list)


def ticket_text(subject: str, description: str | None, first_message: str | None = None) -> str:
    """What the model reads of a ticket: subject, description and the first customer message."""
    parts = [subject, description or "", first_message or ""]
    return "\n".join(p for p in parts if p)[:MAX_TEXT_CHARS]
