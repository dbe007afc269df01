"""The public survey page: plain HTML with inline CSS, no script (the CSP allows none inline),
a form that posts back to itself; readable on a 390 px phone.

The reason field appears for "bad" (or 1 and 2) by CSS alone: the radio buttons precede it
as siblings, so `#r-bad:checked ~ .reason` shows it.
"""

from __future__ import annotations

from html import escape

from ticketdesk.csat.service import SurveyView, is_good

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2937;
background:#f3f4f6}
main{max-width:32rem;margin:0 auto;padding:1.25rem 1rem 2rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.08);
border-top:4px solid var(--brand)}
h1{font-size:1.25rem;margin:0 0 .25rem}
.brand{color:var(--brand);font-weight:600;margin:0 0 1rem}
.ticket{color:#6b7280;margin:0 0 1.25rem;overflow-wrap:anywhere}
fieldset{border:0;margin:0;padding:0}
legend{font-weight:600;margin-bottom:.75rem;padding:0}
.choices{display:flex;flex-wrap:wrap;gap:.5rem}
.choices input{position:absolute;opacity:0;width:1px;height:1px}
.choices label.choice{flex:1 1 8rem;display:flex;align-items:center;justify-content:center;
min-height:3.25rem;padding:.5rem;border:2px solid #d1d5db;border-radius:10px;cursor:pointer;
font-weight:600;text-align:center;background:#fff}
.five label.choice{flex:1 1 2.75rem;font-size:1.25rem}
.choices input:focus-visible+label{outline:3px solid #2563eb;outline-offset:2px}
.choices input:checked+label.good{border-color:#16a34a;background:#f0fdf4;color:#166534}
.choices input:checked+label.bad{border-color:#dc2626;background:#fef2f2;color:#991b1b}
.choices input:checked+label.mid{border-color:#ca8a04;background:#fefce8;color:#854d0e}
.ends{display:flex;justify-content:space-between;width:100%;color:#6b7280;font-size:.85rem}
.reason{display:none;width:100%;margin-top:.75rem}
#r-bad:checked~.reason,#r-1:checked~.reason,#r-2:checked~.reason{display:block}
.reason label{display:block;font-weight:600;margin-bottom:.25rem}
textarea{width:100%;min-height:6rem;padding:.5rem;border:1px solid #d1d5db;border-radius:8px;
font:inherit}
button{margin-top:1rem;width:100%;min-height:3rem;border:0;border-radius:10px;
background:var(--brand);color:#fff;font:inherit;font-weight:600;cursor:pointer}
.note{padding:.75rem;border-radius:8px;margin:0 0 1rem}
.saved{background:#f0fdf4;color:#166534}
.error{background:#fef2f2;color:#991b1b}
.answer{font-weight:600}
"""


def _document(title: str, body: str, color: str = "#2563eb") -> str:
    # the color comes from the workspace's validated #rrggbb setting; escaped all the same
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>:root{{--brand:{escape(color)}}}{_STYLE}</style>"
        f'</head><body><main><div class="card">{body}</div></main></body></html>\n'
    )


def _answer_text(rating: str | int) -> str:
    if isinstance(rating, int):
        return f"{rating} out of 5"
    return "Good, satisfied" if rating == "good" else "Bad, unsatisfied"


def _header(view: SurveyView) -> str:
    return (
        f'<p class="brand">{escape(view.brand_name)}</p>'
        "<h1>How did we do?</h1>"
        f'<p class="ticket">Ticket {escape(view.key)}: {escape(view.subject)}</p>'
    )


def _choice(value: str, label: str, css: str, chosen: str | None) -> str:
    checked = " checked" if chosen == value else ""
    return (
        f'<input type="radio" name="rating" id="r-{value}" value="{value}" required{checked}>'
        f'<label class="choice {css}" for="r-{value}">{label}</label>'
    )


def survey_page(
    view: SurveyView,
    action: str,
    *,
    chosen: str | None = None,
    saved: bool = False,
    error: str | None = None,
) -> str:
    """The survey's form, with the current answer chosen (or `chosen`, from the email's
    link), a thank-you after saving, or the error of a refused answer."""
    if view.closed:
        return closed_page(view)
    current = chosen or (str(view.rating) if view.rating is not None else None)
    parts = [_header(view)]
    if saved and view.rating is not None:
        parts.append(
            '<p class="note saved" role="status">Thank you! Your answer is saved. '
            "You can change it here until the ticket is closed.</p>"
        )
    elif view.rating is not None:
        parts.append(
            f'<p>Your answer: <span class="answer">{escape(_answer_text(view.rating))}</span>. '
            "You can change it below.</p>"
        )
    if error:
        parts.append(f'<p class="note error" role="alert">{escape(error)}</p>')
    if view.scale == "five":
        choices = "".join(
            _choice(str(n), str(n), "bad" if n <= 2 else ("mid" if n == 3 else "good"), current)
            for n in range(1, 6)
        )
        choices += (
            '<div class="ends"><span>1: very unsatisfied</span><span>5: very satisfied</span></div>'
        )
        fieldset_class = "choices five"
    else:
        choices = _choice("good", "Good, I'm satisfied", "good", current) + _choice(
            "bad", "Bad, I'm unsatisfied", "bad", current
        )
        fieldset_class = "choices"
    comment = escape(view.comment or "")
    parts.append(
        f'<form method="post" action="{escape(action)}">'
        f'<fieldset class="{fieldset_class}">'
        "<legend>How would you rate the support you received?</legend>"
        f"{choices}"
        '<div class="reason"><label for="comment">What could we have done better?</label>'
        f'<textarea id="comment" name="comment" maxlength="2000">{comment}</textarea></div>'
        "</fieldset>"
        f'<button type="submit">{"Update my answer" if view.rating is not None else "Send"}'
        "</button></form>"
    )
    return _document(f"How did we do? {view.key}", "".join(parts), view.brand_color)


def closed_page(view: SurveyView) -> str:
    parts = [_header(view), "<p>This ticket is closed, so its survey can no longer be changed.</p>"]
    if view.rating is not None:
        good = "good" if is_good(view.rating) else "bad"
        parts.append(
            f'<p>Your answer: <span class="answer {good}">'
            f"{escape(_answer_text(view.rating))}</span>.</p>"
        )
    parts.append("<p>Thank you for your feedback.</p>")
    return _document(f"Survey closed: {view.key}", "".join(parts), view.brand_color)


def not_found_page() -> str:
    return _document(
        "Survey not found",
        "<h1>This survey link does not work</h1>"
        "<p>It may have expired, or it was copied incompletely. "
        "If you want to tell us something, just reply to our last email.</p>",
    )


def bad_request_page(message: str) -> str:
    return _document("Survey", f"<h1>Something went wrong</h1><p>{escape(message)}</p>")
