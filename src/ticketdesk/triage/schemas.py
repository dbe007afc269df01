"""Triage shapes: the model's state and quality, predictions, insights, settings, LLM text."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict

from ticketdesk.schemas import Input, LongText, Output, Subject, UtcDateTime

TriageField = Literal["type", "category", "priority", "team", "labels"]
Threshold = Annotated[float, Strict(), Field(ge=0, le=1)]


class FieldQuality(Output):
    """Measured on the newest 20 % of tickets, which the measured model did not see."""

    accuracy: float | None = None
    macro_f1: float | None = None
    support: int = 0
    baseline_accuracy: float | None = None
    calibration_error: float | None = Field(
        default=None, description="expected calibration error of the confidences (0 is ideal)"
    )
    classes: int = 0


class TriageModelRead(Output):
    state: Literal["none", "training", "ready"] = Field(
        description="`training` while a run is going (the figures are the serving model's)"
    )
    version: int | None = None
    trained_at: UtcDateTime | None = None
    examples: int = 0
    fields: dict[str, FieldQuality] = {}
    left_out: dict[str, str] = Field(
        default={}, description="fields not learned (too few examples), and why"
    )
    model_bytes: int = 0
    training_seconds: float | None = Field(default=None, description="wall time of the run")
    training_cpu_seconds: float | None = Field(
        default=None, description="CPU time of the fit itself"
    )
    last_error: str | None = None
    llm_configured: bool = Field(
        default=False,
        description="a language model is configured: ticket summaries and reply drafts work",
    )
    similarity: Literal["minilm", "tfidf"] = Field(
        default="tfidf",
        description="what finds similar tickets and duplicates: MiniLM sentence embeddings "
        "(the `embeddings` extra) or TF-IDF word overlap",
    )
    embedding_seconds: float | None = Field(
        default=None, description="of the run's wall time, computing the embeddings"
    )


class TrainAccepted(Output):
    job_id: str


class PredictRequest(Input):
    subject: Subject
    description: LongText = ""


class SuggestedValue(Output):
    value: str
    confidence: float
    name: str | None = Field(default=None, description="the team's name, for `team`")


class SimilarTicket(Output):
    key: str
    subject: str
    status: str
    score: float


class Prediction(Output):
    type: SuggestedValue | None = None
    category: SuggestedValue | None = None
    priority: SuggestedValue | None = None
    team: SuggestedValue | None = None
    labels: list[SuggestedValue] = []
    similar: list[SimilarTicket] = []
    model_version: int


class SuggestedReply(Output):
    ticket: str = Field(description="the solved ticket the reply comes from")
    subject: str
    score: float
    body: str
    author: str | None = None


class TicketInsights(Prediction):
    possible_duplicates: list[SimilarTicket] = []
    suggested_replies: list[SuggestedReply] = []


class TriageSettings(Input):
    auto_apply: dict[TriageField, Threshold] = Field(
        default={},
        description="per field, the confidence at which a prediction fills what the creator "
        "left empty (0..1); a field not named is never filled in",
    )


class TriageSettingsRead(Output):
    auto_apply: dict[str, float] = {}


class GeneratedText(Output):
    text: str
    model: str | None = None
