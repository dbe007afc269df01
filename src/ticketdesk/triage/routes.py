"""HTTP for triage: train and inspect the workspace's model, predict, a ticket's insights,
the auto-apply thresholds, and the optional language model's summary and reply draft."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ticketdesk.auth.principal import Admin, Agent, Reader, WorkspaceDep
from ticketdesk.config import Settings
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.responses import SerializedJSON, model_response
from ticketdesk.tickets.deps import TicketDep
from ticketdesk.triage import service
from ticketdesk.triage.schemas import (
    GeneratedText,
    Prediction,
    PredictRequest,
    TicketInsights,
    TrainAccepted,
    TriageModelRead,
    TriageSettings,
    TriageSettingsRead,
)

router = APIRouter(tags=["triage"])

_AUTH = problems(401, 403, 422)
_MODEL = problems(401, 403, 404, 409, 422)
_LLM = problems(401, 403, 404, 409, 422, 502, 504)


@router.post(
    "/triage/train",
    status_code=202,
    response_model=TrainAccepted,
    operation_id="triage:train",
    responses=problems(401, 403, 409, 422),
)
async def train(session: SessionDep, principal: Admin) -> SerializedJSON:
    """Train the workspace's model from its tickets (a worker job); a run already going is
    answered with its own id."""
    accepted = await service.request_training(session, principal.workspace_id, principal.actor())
    return model_response(accepted, 202)


@router.get("/triage/model", operation_id="triage:get_model", responses=_AUTH)
async def get_model(session: SessionDep, principal: Reader, request: Request) -> TriageModelRead:
    """The model's state and quality per field, measured on the newest 20 % of tickets it was
    not trained on, next to always guessing the most common value; which similarity (MiniLM
    embeddings or TF-IDF) finds similar tickets; and whether a language model is configured."""
    settings: Settings = request.app.state.settings
    return await service.model_status(session, principal.workspace_id, settings)


@router.post("/triage/predict", operation_id="triage:predict", responses=_MODEL)
async def predict(
    data: PredictRequest, session: SessionDep, principal: Reader, workspace: WorkspaceDep
) -> Prediction:
    """Suggested type, category, priority, team and labels with their confidence (0..1), and
    similar tickets; 409 without a trained model."""
    return await service.predict(session, workspace, data.subject, data.description)


@router.get("/tickets/{ticket}/insights", operation_id="tickets:insights", responses=_MODEL)
async def ticket_insights(
    ticket: TicketDep, session: SessionDep, principal: Reader, workspace: WorkspaceDep
) -> TicketInsights:
    """The suggestions for this ticket, open tickets that may duplicate it (the same
    requester's first), similar solved tickets and the public replies that solved them."""
    return await service.ticket_insights(session, workspace, ticket)


@router.get("/settings/triage", operation_id="settings:get_triage", responses=_AUTH)
async def get_triage_settings(principal: Reader, workspace: WorkspaceDep) -> TriageSettingsRead:
    return service.triage_settings(workspace)


@router.put(
    "/settings/triage",
    operation_id="settings:put_triage",
    responses=problems(400, 401, 403, 413, 415, 422),
)
async def put_triage_settings(
    data: TriageSettings, session: SessionDep, principal: Admin, workspace: WorkspaceDep
) -> TriageSettingsRead:
    """Per field, the confidence at which triage fills in what a new ticket's creator left
    empty (every channel but imports). A chat handover without a priority takes triage's
    even without a threshold."""
    return await service.set_triage_settings(session, workspace, data)


@router.post("/tickets/{ticket}/summary", operation_id="tickets:summary", responses=_LLM)
async def ticket_summary(
    ticket: TicketDep,
    request: Request,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
) -> GeneratedText:
    """A short summary by the configured language model; 409 `llm_not_configured` without."""
    settings: Settings = request.app.state.settings
    return await service.generate_text(session, settings, workspace, ticket, "summary")


@router.post("/tickets/{ticket}/reply-draft", operation_id="tickets:reply_draft", responses=_LLM)
async def ticket_reply_draft(
    ticket: TicketDep,
    request: Request,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
) -> GeneratedText:
    """A reply draft grounded in the ticket, its conversation and the replies that solved
    similar tickets; 409 `llm_not_configured` without a language model."""
    settings: Settings = request.app.state.settings
    return await service.generate_text(session, settings, workspace, ticket, "reply_draft")
