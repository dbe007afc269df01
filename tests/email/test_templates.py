"""The template sandbox's limits: what an admin's template may not make the process do, and
what ordinary templates still do. Limits are counted in work (loop steps, calls, characters
built), never in seconds, so these hold on any machine."""

from __future__ import annotations

import pytest

from ticketdesk.email import templates
from ticketdesk.email.templates import TemplateBroken, TemplateSource, sample_context


def _text(body: str) -> TemplateSource:
    return TemplateSource("Subject", body, "<p>html</p>")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # 4e7 iterations blocked the process for 2.8 s
        (
            "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(40) %}x"
            "{% endfor %}{% endfor %}{% endfor %}",
            "too much work",
        ),
        (
            "{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}",
            "too much work",
        ),
        (
            "{% set s = 'a' * 1000 %}{% for c in s %}{% for d in s %}{% endfor %}{% endfor %}",
            "too much work",
        ),  # fmt: skip
        (
            "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
            "{{ f(40) }}",
            "too much work",
        ),  # fmt: skip
        (
            "{% set s %}{% for i in range(1000) %}{{ 'a' * 99999 }}{% endfor %}{% endset %}x",
            "too much work",
        ),  # fmt: skip
        ("{{ 'x'|center(100000000) }}", "numbers above"),
        ("{{ 'x'.ljust(100000000) }}", "numbers above"),
        ("{% set s = 'a' * 1000 %}{{ s.replace('', s) }}", "larger than"),
        ("{% set s = 'a' * 1000 %}{{ s|replace('a', s) }}", "larger than"),
        ("{% set s = 'a' * 100000 %}{{ ([s] * 1000)|join }}", "larger than"),
        ("{% set s = 'ab' %}" + "{% set s = s ~ s %}" * 40 + "{{ s|length }}", "larger than"),
        ("{% set s = 'ab' %}" + "{% set s = s + s %}" * 40 + "{{ s|length }}", "larger than"),
        (
            "{% set ns = namespace(s='ab') %}{% for i in range(60) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "larger than",
        ),  # fmt: skip
        ("{% set s = '\n' * 100000 %}{{ s|indent(100000) }}", "larger than"),
        ("{% set x = 10 %}" + "{% set x = x * x %}" * 40 + "{{ x }}", "too large a number"),
        ("{{ '%0100000000d'|format(1) }}", "format widths"),
        ("{{ '%0100000000d' % 1 }}", "format widths"),
        ("{{ '{:>100000000}'.format(1) }}", "format widths"),
        ("{{ ([[0] * 10000] * 10)|sum(start=[]) }}", "adds numbers only"),
        ("{{ 'aaaa'.translate({97: 'b' * 100000}) }}", "translate"),
        ("{% for i in range(10**9) %}{% endfor %}", "not allowed"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recurses"),
        ("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", "recursive loops"),
        ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "cannot be compiled"),
        ("{% set l = [] %}{{ l.append(1) }}", "unsafe"),
    ],
)
def test_a_template_over_the_limits_is_broken_with_a_reason(body: str, reason: str) -> None:
    with pytest.raises(TemplateBroken) as broken:
        templates.validate(_text(body))
    assert broken.value.part == "text"
    assert reason in broken.value.message


def test_ordinary_templates_still_render() -> None:
    body = (
        "{% macro line(label, value) %}{{ label }}: {{ value }}{% endmacro %}"
        "{{ line('Ticket', ticket.key) }}\n"
        "{% for word in ticket.subject.split() %}{{ loop.index }}={{ word|upper }} {% endfor %}\n"
        "{{ ticket.subject ~ ' / ' ~ requester.name }}\n"
        "{{ ['a', 'b']|join(', ') }} {{ '%s-%03d'|format('x', 7) }} {{ '{}!'.format('hi') }}\n"
        "{% for i in range(3) %}{{ i * 2 }}{% endfor %} {{ [1, 2, 3]|sum }}"
    )
    html = "<p>{{ comment.body ~ ' <b>' }}</p>{% autoescape false %}{{ '<i>' }}{% endautoescape %}"
    rendered = templates.render(TemplateSource("{{ ticket.key }}", body, html), sample_context())
    assert rendered.text.splitlines() == [
        "Ticket: TKT-42",
        "1=MY 2=ORDER 3=HAS 4=NOT 5=ARRIVED ",
        "My order has not arrived / Ada Lovelace",
        "a, b x-007 hi!",
        "024 6",
    ]
    assert rendered.html == "<p>We have shipped a replacement. &lt;b&gt;</p><i>"
    for kind, source in templates.DEFAULTS.items():
        assert templates.validate(source).subject, kind


def test_the_budget_is_per_render_not_per_process() -> None:
    """Many renders near the limit in a row all succeed: nothing accumulates between them."""
    body = "{% for a in range(300) %}{% for b in range(300) %}{% endfor %}{% endfor %}ok"
    for _ in range(20):
        assert templates.validate(_text(body)).text == "ok"
