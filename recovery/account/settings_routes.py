"""Settings: language, e-mail, password, the SIM lock and "block my SIM now"."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from recovery.account import bp, services
from recovery.account.forms import BlockSimForm, ChangePasswordForm, EmailForm, LanguageForm, SimLockForm
from recovery.account.web import client_ip, current_account
from recovery.clock import now
from recovery.extensions import db
from recovery.models import Account, SimStatus
from recovery.passwords import WeakPassword


def _settings_forms(account: Account) -> dict[str, object]:
    subscriber = account.subscriber
    return {
        "language_form": LanguageForm(prefix="language", language=account.language or str(get_locale())),
        "email_form": EmailForm(prefix="email", email=subscriber.email),
        "password_form": ChangePasswordForm(prefix="password"),
        "lock_form": SimLockForm(prefix="lock", enabled=subscriber.reissue_in_person_only),
        "block_form": BlockSimForm(prefix="block"),
    }


def _settings_page(account: Account, **forms: object) -> str:
    context = _settings_forms(account) | forms
    sim = account.subscriber.current_sim
    return render_template(
        "account/settings.html",
        subscriber=account.subscriber,
        sim=sim,
        sim_active=sim is not None and sim.status == SimStatus.ACTIVE,
        **context,
    )


@bp.get("/settings")
def settings() -> str:
    """Language, e-mail, password, SIM lock and "block my SIM now"."""
    return _settings_page(current_account())


@bp.post("/settings/language")
def settings_language() -> str | BaseResponse:
    """Save the interface language."""
    account = current_account()
    form = LanguageForm(prefix="language")
    if not form.validate_on_submit():
        return _settings_page(account, language_form=form)
    services.change_language(db.session, account, form.language.data, ip=client_ip())
    db.session.commit()
    session["lang"] = form.language.data
    flash(_("The language is saved."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/settings/email")
def settings_email() -> str | BaseResponse:
    """Save the e-mail for notifications."""
    account = current_account()
    form = EmailForm(prefix="email")
    if not form.validate_on_submit():
        return _settings_page(account, email_form=form)
    email = (form.email.data or "").strip() or None
    services.change_email(db.session, account, email, now=now(), ip=client_ip())
    db.session.commit()
    flash(_("The e-mail for notifications is saved."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/settings/password")
def settings_password() -> str | BaseResponse:
    """Change the password (the current one proves it is you)."""
    account = current_account()
    form = ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session, account, form.current.data, form.password.data, now=now(), ip=client_ip()
            )
        except services.WrongPassword:
            form.current.errors.append(_("This is not your current password."))
        except WeakPassword:  # pragma: no cover - the form's validator refuses it first
            form.password.errors.append(_("Choose a stronger password."))
        else:
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("account.settings"))
    return _settings_page(account, password_form=form)


@bp.post("/settings/sim-lock")
def settings_sim_lock() -> str | BaseResponse:
    """Turn the SIM lock on, or off with the password."""
    account = current_account()
    form = SimLockForm(prefix="lock")
    if not form.validate_on_submit():
        return _settings_page(account, lock_form=form)
    enabled = bool(form.enabled.data)
    if not enabled and account.subscriber.reissue_in_person_only:
        # Turning the protection off is what an intruder in a live session would want.
        try:
            services.confirm_password(account, form.password.data or "")
        except services.WrongPassword:
            form.password.errors.append(_("Enter your password to turn the SIM lock off."))
            return _settings_page(account, lock_form=form)
    services.set_sim_lock(db.session, account, enabled, now=now(), ip=client_ip())
    db.session.commit()
    if enabled:
        flash(_("SIM lock is on: a new SIM for your number is given only in person at an office."), "success")
    else:
        flash(_("SIM lock is off."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/settings/block")
def settings_block() -> str | BaseResponse:
    """Block my SIM now. The password is the proof; unblocking is only at an office."""
    account = current_account()
    form = BlockSimForm(prefix="block")
    if not form.validate_on_submit():
        return _settings_page(account, block_form=form)
    try:
        services.confirm_password(account, form.password.data)
    except services.WrongPassword:
        form.password.errors.append(_("This is not your password."))
        return _settings_page(account, block_form=form)
    try:
        services.block_current_sim(
            db.session, account.subscriber, now=now(), actor=services.actor_of(account), ip=client_ip()
        )
    except services.SimNotActive:
        db.session.rollback()
        flash(_("Your SIM is already blocked. Visit an office with your passport to unblock it."), "info")
        return redirect(url_for("account.settings"))
    db.session.commit()
    message = _("Your SIM is blocked. To unblock it or get a new SIM with the same number, visit an office.")
    flash(message, "success")
    return redirect(url_for("account.overview"))
