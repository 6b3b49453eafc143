"""The layout, the shared macros and the template filters, rendered by the app."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Optional

NBSP = "\u00a0"


class OwnerForm(FlaskForm):
    """A form with one field of each kind the macros lay out differently."""

    phone = StringField("Phone number", validators=[DataRequired()], description="The number of the lost SIM")
    action = RadioField(
        "What should we do?",
        choices=[SelectChoice("block", "Block"), SelectChoice("reissue", "New SIM")],
        validators=[DataRequired()],
    )
    region = SelectField(
        "Region", choices=[SelectChoice("RU-MOW", "Moscow"), SelectChoice("RU-SPE", "Saint Petersburg")]
    )
    email = StringField("Email", validators=[Optional()])
    owner = BooleanField("I am the owner of this number", validators=[DataRequired()])


FORM_PAGE = """
{% extends "base.html" %}
{% import "macros/forms.html" as forms %}
{% set page_title = "Tell us about the SIM" %}
{% block content %}
{% call forms.form(form, submit="Continue") %}
  {{ forms.field(form.phone, autocomplete="tel", inputmode="tel", class="phone-input") }}
  {{ forms.field(form.action) }}
  {{ forms.field(form.region) }}
  {{ forms.field(form.email) }}
  {{ forms.field(form.owner) }}
{% endcall %}
{% endblock %}
"""


def _render_form(app, data: dict | None = None, **headers: str) -> str:
    with app.test_request_context(
        "/", method="POST" if data is not None else "GET", data=data, headers=headers
    ):
        form = OwnerForm(meta={"csrf": False})
        if data is not None:
            form.validate()
        return render_template_string(FORM_PAGE, form=form)


def test_fields_are_labelled_and_hinted(app):
    page = _render_form(app)

    assert '<label class="form-label" for="phone">Phone number</label>' in page
    assert 'id="phone-hint"' in page
    phone = re.search(r"<input[^>]*id=\"phone\"[^>]*>", page).group(0)
    assert 'aria-describedby="phone-hint"' in phone
    assert 'autocomplete="tel"' in phone and 'inputmode="tel"' in phone
    assert 'class="form-control phone-input"' in phone
    assert "aria-invalid" not in phone
    # A group of options is a fieldset named by its legend.
    assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>What should we do\?</legend>", page)
    assert '<label class="form-check-label" for="action-0">Block</label>' in page
    assert 'class="form-select"' in page
    assert "(необязательно)" in page  # the optional e-mail says so
    assert "error-summary" not in page
    assert "novalidate" in page


def test_errors_are_beside_their_fields_and_summarised_with_links(app):
    page = _render_form(app, data={"region": "RU-MOW"})

    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Пожалуйста, исправьте ошибки" in summary
    assert 'href="#phone"' in summary
    assert 'href="#action-0"' in summary  # a group links to its first option
    assert 'href="#owner"' in summary
    assert 'href="#region"' not in summary and 'href="#email"' not in summary

    phone = re.search(r"<input[^>]*id=\"phone\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in phone
    assert 'aria-describedby="phone-hint phone-error"' in phone
    assert 'class="form-control is-invalid phone-input"' in phone
    error = re.search(r'<p id="phone-error" class="field-error">(.*?)</p>', page, re.S).group(1)
    assert "Ошибка:" in error and "Обязательное поле." in error  # WTForms' own Russian
    assert re.search(r'<fieldset[^>]*aria-describedby="action-error"', page)
    owner = re.search(r"<input[^>]*id=\"owner\"[^>]*>", page).group(0)
    assert 'aria-describedby="owner-error"' in owner


def test_an_expired_form_says_so_in_the_summary(app):
    with app.test_request_context("/", method="POST", data={"csrf_token": "stale"}):
        form = OwnerForm()
        form.validate()
        page = render_template_string(FORM_PAGE, form=form)
    assert "Страница была открыта слишком долго" in page
    assert "CSRF" not in page


def test_wizard_progress_marks_the_current_step(app):
    template = """{% import "macros/wizard.html" as wizard %}
    {{ wizard.progress(["Number", {"label": "Identity", "url": "/lost/identity"}, "Calls", "Review"],
                       current=3) }}"""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        html = render_template_string(template)
    assert "Step 3 of 4" in html and "Calls</span>" in html
    current = re.findall(r'<li class="wizard-step is-current" aria-current="step">', html)
    assert len(current) == 1
    assert '<a class="wizard-step-label" href="/lost/identity">Identity</a>' in html
    assert html.count("(step done)") == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, "Совпадает"), (False, "Не совпадает"), (None, "Нет данных")],
)
def test_check_result_is_in_words_not_colour_alone(app, value, expected):
    with app.test_request_context("/"):
        html = render_template_string('{% import "macros/ui.html" as ui %}{{ ui.check_result(v) }}', v=value)
    assert expected in html


def test_empty_state_and_summary_list(app):
    template = """{% import "macros/ui.html" as ui %}
    {{ ui.empty_state("No open tickets", "New tickets appear here.") }}
    {{ ui.summary_list([{"key": "Phone number", "value": "+7 916 123-45-67", "url": "/lost/number"}]) }}"""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        html = render_template_string(template)
    assert '<p class="empty-state-title">No open tickets</p>' in html
    assert '<dt class="summary-key">Phone number</dt>' in html
    assert '<a href="/lost/number">Change<span class="visually-hidden"> Phone number</span></a>' in html


def test_nav_item_marks_the_current_page(app):
    template = """{% import "macros/ui.html" as ui %}
    {{ ui.nav_item("main.index", "Home") }}{{ ui.nav_item("/account", "Account") }}"""
    with app.test_request_context("/"):
        html = render_template_string(template)
    assert '<a class="site-menu-link" href="/" aria-current="page">Home</a>' in html
    assert '<a class="site-menu-link" href="/account">Account</a>' in html


@pytest.mark.parametrize(
    ("area", "body_class", "footer"),
    [
        (None, "area-self-service subscriber-area", "позвоните на линию поддержки с любого телефона"),
        ("account", "area-account subscriber-area", "позвоните на линию поддержки с любого телефона"),
        ("agent", "area-agent staff-area", "журнал аудита"),
        ("supervisor", "area-supervisor staff-area", "журнал аудита"),
    ],
)
def test_area_sets_the_body_class_and_footer(app, area, body_class, footer):
    template = ('{% set area = "' + area + '" %}' if area else "") + '{% extends "base.html" %}'
    with app.test_request_context("/"):
        html = render_template_string(template)
    assert f'<body class="{body_class}">' in html
    assert footer in html


def test_page_title_is_the_title_and_the_heading(app):
    template = '{% extends "base.html" %}{% set page_title = "Unlock a number" %}'
    with app.test_request_context("/"):
        html = render_template_string(template)
    assert "<title>Unlock a number · Оператор связи</title>" in html
    assert '<h1 class="page-heading">Unlock a number</h1>' in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", f"1{NBSP}234,50{NBSP}₽ | 20 нояб. 2026\u202fг., 18:00 | 22:00 | 1 мин 5 с | Санкт-Петербург"),
        (
            "en",
            f"RUB{NBSP}1,234.50 | Nov 20, 2026, 6:00\u202fPM | 10:00\u202fPM | 1 min 5 sec"
            " | Saint Petersburg",
        ),
    ],
)
def test_filters_use_the_request_language_and_moscow_time(app, language, expected):
    template = (
        "{{ 123450|money }} | {{ moment|datetime }} | {{ moment|time(tz='Asia/Novosibirsk') }}"
        " | {{ 65|duration }} | {{ region_name('RU-SPE') }}"
    )
    with app.test_request_context("/", headers={"Accept-Language": language}):
        html = render_template_string(template, moment=datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    assert html == expected


def test_filters_leave_missing_values_empty(app):
    template = "[{{ none|money }}{{ none|datetime }}{{ none|date }}{{ none|duration }}{{ none|phone }}]"
    with app.test_request_context("/"):
        assert render_template_string(template) == "[]"


def test_pages_say_their_language_and_that_it_depends_on_the_browser(client):
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.headers["Content-Language"] == "en"
    assert "Accept-Language" in response.headers["Vary"]
    assert "Content-Language" not in client.get("/healthz").headers


def test_language_switch_returns_to_the_same_path_after_a_form_post(app):
    # A page shown in answer to a POST (a form with errors) switches back to its own path.
    with app.test_request_context("/lost/identity", method="POST"):
        html = render_template_string('{% extends "base.html" %}')
    assert '<input type="hidden" name="next" value="/lost/identity">' in html


def test_an_unknown_language_is_not_remembered(client):
    page = client.get("/").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/lang/de", data={"csrf_token": csrf, "next": "/"})
    with client.session_transaction() as session:
        assert "lang" not in session
    assert '<html lang="ru">' in client.get("/").get_data(as_text=True)


def test_layout_has_no_inline_script_or_style(client):
    page = client.get("/").get_data(as_text=True)
    assert "<style" not in page
    assert " style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert "cdn" not in page.lower()
