"""HTTP for CSAT: the admin's settings, the JSON answer endpoint, and the public survey page
(plain HTML outside the API, with a form that posts back to it)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ticketdesk.auth.principal import Admin, Reader, WorkspaceDep
from ticketdesk.csat import page, service
from ticketdesk.csat.schemas import CsatSettings, CsatSettingsRead, SurveyAnswer, SurveyAnswerRead
from ticketdesk.deps import SessionDep
from ticketdesk.errors import Gone, NotFound, ValidationFailed, problems

router = APIRouter(tags=["csat"])
# the survey page is not part of the API (no JSON, no OpenAPI operation)
pages_router = APIRouter(include_in_schema=False)

ASKS_REASON = ("bad", 1, 2)  # the page's CSS shows its reason box for these answers
FORM_LIMIT = 32 * 1024  # a 2,000-character reason, percent-encoded, fits easily
NO_STORE = {"Cache-Control": "no-store"}
Token = Annotated[str, Path(max_length=service.MAX_TOKEN_LENGTH)]


@router.get(
    "/settings/csat",
    operation_id="settings:get_csat",
    tags=["configuration"],
    responses=problems(401, 403),
)
async def get_csat_settings(principal: Reader, workspace: WorkspaceDep) -> CsatSettingsRead:
    return service.csat_settings(workspace)


@router.put(
    "/settings/csat",
    operation_id="settings:put_csat",
    tags=["configuration"],
    responses=problems(400, 401, 403, 413, 415, 422),
)
async def put_csat_settings(
    data: CsatSettings, session: SessionDep, principal: Admin, workspace: WorkspaceDep
) -> CsatSettingsRead:
    """When on, a ticket's requester gets one survey email `delay_minutes` after the ticket
    is first solved, with a link to their own survey page (the `csat_survey` email template).

    One survey per ticket, ever: a ticket reopened and solved again gets no second survey
    (reopened before its survey went out, the survey waits for the next solve). The answer is
    on the ticket (`csat`) and in its activity (`ticket.csat_received`), and may be changed
    until the ticket closes. Turning CSAT off sends no new surveys; links already sent keep
    working. Changing the scale applies to answers given from then on."""
    return await service.set_csat_settings(session, workspace, data)


@router.post(
    "/public/surveys/{token}",
    operation_id="surveys:answer",
    responses=problems(400, 404, 410, 413, 415, 422),
)
async def answer_survey(token: Token, data: SurveyAnswer, session: SessionDep) -> SurveyAnswerRead:
    """The requester's answer from their survey link (no sign-in: the token in the link is
    the only key, and it opens this survey only). `rating` is on the workspace's scale
    (`good`/`bad`, or 1 to 5; the other kind is a 422). Answering again changes the answer;
    once the ticket is closed the survey is 410 Gone. An unknown or expired token (30 days
    after the email) is a 404."""
    return await service.answer_survey(session, token, data)


def _html(content: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status_code, headers=NO_STORE)


def _action(token: str) -> str:
    return f"/survey/{quote(token, safe='')}"


@pages_router.get("/survey/{token}", response_class=HTMLResponse)
async def survey_page(
    token: str,
    session: SessionDep,
    rating: Annotated[str | None, Query(max_length=10)] = None,
    saved: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    try:
        view = await service.survey_view(session, token)
    except NotFound:
        return _html(page.not_found_page(), 404)
    chosen = rating if rating in ("good", "bad", "1", "2", "3", "4", "5") else None
    if view.closed:
        return _html(page.closed_page(view), 410)
    return _html(page.survey_page(view, _action(token), chosen=chosen, saved=bool(saved)))


async def _form(request: Request) -> dict[str, str] | None:
    """The posted form's fields (the first value of each), or None when it is not a small
    urlencoded UTF-8 form."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            return None
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=10, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    return {name: values[0] for name, values in fields.items() if values}


@pages_router.post("/survey/{token}", response_class=HTMLResponse)
async def submit_survey_page(token: str, request: Request, session: SessionDep) -> Response:
    """The page's form: saved, then back to the page (303), which thanks the requester."""
    try:
        view = await service.survey_view(session, token)
    except NotFound:
        return _html(page.not_found_page(), 404)
    if view.closed:
        return _html(page.closed_page(view), 410)
    fields = await _form(request)
    if fields is None:
        return _html(page.bad_request_page("Please send the survey form from its page."), 400)
    raw = fields.get("rating", "")
    rating: str | int = int(raw) if raw.isdigit() and len(raw) == 1 else raw
    try:
        data = SurveyAnswer.model_validate(
            {
                "rating": rating,
                # the page shows the reason box for these only: a reason typed for "bad" and
                # left in its hidden box is not kept when the answer becomes good
                "comment": (fields.get("comment") or None) if rating in ASKS_REASON else None,
            }
        )
        await service.answer_survey(session, token, data)
    except Gone:  # closed in between
        return _html(page.closed_page(view), 410)
    except (ValidationError, ValidationFailed):
        message = "Please choose one of the answers." if raw == "" else "Please check your answer."
        return _html(page.survey_page(view, _action(token), error=message), 422)
    return RedirectResponse(f"{_action(token)}?saved=1", status_code=303, headers=NO_STORE)
