"""The shared form, wizard and staff-layout pieces in a real browser, under the CSP.

The pages are test-only routes added to the app under test: they show the
macros the feature pages use, so their behaviour (focus, aria wiring, one
submission, accessibility) is checked before any feature lands.
"""

from __future__ import annotations

import re
import threading

import pytest
from flask import Flask, redirect, render_template_string
from flask_wtf import FlaskForm
from playwright.sync_api import Page, expect
from wtforms import BooleanField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired

from tests.e2e.conftest import MOBILE, PageOpener


class ClaimStepForm(FlaskForm):
    """A wizard step with the usual kinds of field."""

    phone = StringField("Phone number", validators=[DataRequired()], description="The number of the lost SIM")
    action = RadioField(
        "What should we do?",
        choices=[
            SelectChoice("block", "Block the SIM now"),
            SelectChoice("reissue", "Block it and order a new SIM"),
        ],
        validators=[DataRequired()],
    )
    owner = BooleanField("I am the owner of this number", validators=[DataRequired()])


WIZARD_PAGE = """
{% extends "base.html" %}
{% import "macros/forms.html" as forms %}
{% import "macros/wizard.html" as wizard %}
{% set page_title = "Tell us about the SIM" %}
{% block content %}
{{ wizard.progress(["Phone number", "Identity", "Recent calls", "Review"], current=1) }}
{% call forms.form(form, submit="Continue") %}
  {{ forms.field(form.phone, autocomplete="tel", inputmode="tel") }}
  {{ forms.field(form.action) }}
  {{ forms.field(form.owner) }}
{% endcall %}
{% endblock %}
"""

STAFF_PAGE = """
{% extends "base.html" %}
{% import "macros/ui.html" as ui %}
{% set area = "office" %}
{% set page_title = "Reissue tickets" %}
{% block nav %}
  {{ ui.nav_item("/_test/staff", "Tickets") }}
  {{ ui.nav_item("/_test/wizard", "Wizard") }}
{% endblock %}
{% block content %}
{{ ui.empty_state("No open tickets", "New reissue tickets for your region appear here.") }}
{% endblock %}
"""


@pytest.fixture
def app(app: Flask) -> Flask:
    """The app under test with the demonstration pages."""
    posts: list[str] = []
    app.config["DEMO_POSTS"] = posts
    # A slow answer, during which a stressed person presses again: the step's answer waits
    # until the test lets it go, so the second press surely falls while the first is on its way.
    app.config["DEMO_ARRIVED"] = arrived = threading.Event()
    app.config["DEMO_RELEASE"] = release = threading.Event()

    def wizard() -> object:
        form = ClaimStepForm()
        if form.validate_on_submit():
            posts.append(form.phone.data)
            arrived.set()
            release.wait(timeout=30)
            return redirect("/_test/wizard?sent=1")
        return render_template_string(WIZARD_PAGE, form=form)

    app.add_url_rule("/_test/wizard", "demo_wizard", wizard, methods=["GET", "POST"])
    app.add_url_rule("/_test/staff", "demo_staff", lambda: render_template_string(STAFF_PAGE))
    return app


@pytest.fixture
def page(new_page: PageOpener) -> Page:
    """These demonstration pages are read in English."""
    return new_page(locale="en-GB")


def test_an_empty_step_shows_a_focused_summary_that_leads_to_each_field(page, live_server, axe, screenshot):
    page.goto(live_server("/_test/wizard"))
    expect(page.locator("[aria-current='step']")).to_contain_text("Phone number")
    expect(page.get_by_text("Step 1 of 4")).to_be_visible()
    axe(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(3)
    phone = page.get_by_label("Phone number")
    expect(phone).to_have_attribute("aria-invalid", "true")
    # The error is read with the field: aria-describedby names the hint and the error.
    described = phone.get_attribute("aria-describedby").split()
    texts = [page.locator(f"#{element_id}").inner_text() for element_id in described]
    assert texts[0] == "The number of the lost SIM"
    assert "This field is required." in texts[1]
    axe(page)
    screenshot("Form with errors (shared macros)")

    summary.get_by_role("link", name=re.compile("What should we do")).click()
    expect(page.get_by_label("Block the SIM now")).to_be_focused()


def test_a_corrected_step_is_sent_once_however_often_it_is_pressed(page, live_server):
    page.goto(live_server("/_test/wizard"))
    page.get_by_label("Phone number").fill("+79161234567")
    page.get_by_label("Block the SIM now").check()
    page.get_by_label("I am the owner of this number").check()

    # Two presses, the second while the first is still on its way: the server holds the first
    # answer until the second press is done, so no clock decides what is tested.
    config = live_server.app.config
    box = page.get_by_role("button", name="Continue").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    assert config["DEMO_ARRIVED"].wait(timeout=30), "the first press sent nothing"
    page.mouse.click(x, y)
    config["DEMO_RELEASE"].set()
    expect(page).to_have_url(re.compile(r"sent=1"))

    assert live_server.app.config["DEMO_POSTS"] == ["+79161234567"]
    expect(page.locator(".error-summary")).to_have_count(0)


def test_the_wizard_on_a_phone_shows_the_step_counter(new_page, live_server, axe, screenshot):
    page = new_page(locale="en-GB", viewport=MOBILE)
    page.goto(live_server("/_test/wizard"))
    expect(page.get_by_text("Step 1 of 4: Phone number")).to_be_visible()
    expect(page.locator(".wizard-steps")).to_be_hidden()
    axe(page)
    screenshot("Wizard step on a phone (shared macros)")


def test_staff_pages_have_their_own_header_and_mark_the_current_menu_item(page, live_server, axe, screenshot):
    page.goto(live_server("/_test/staff"))
    expect(page.locator("body")).to_have_class(re.compile(r"\bstaff-area\b"))
    expect(page.locator(".site-header")).to_have_css("background-color", "rgb(31, 41, 55)")
    expect(page.get_by_role("link", name="Tickets")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Wizard")).not_to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No open tickets")).to_be_visible()
    axe(page)
    screenshot("Staff layout with an empty queue (shared macros)")
