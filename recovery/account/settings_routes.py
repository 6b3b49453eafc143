"""Settings: language, e-mail, password, the SIM lock, "block my SIM now" and "unblock my SIM".

What an intruder in a live session would want — another e-mail, a new
password, the SIM lock off, the SIM blocked or unblocked — needs the current password.
Wrong passwords here are throttled as logins are (``PASSWORD_CHECK_LIMIT``, per
account and per address, shared by these forms; right ones do not count), so a
stolen session cannot be used to guess the password.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_user
from werkzeug.wrappers import Response as BaseResponse

from recovery.account import bp, services
from recovery.account.forms import (
    BlockSimForm,
    CancelLockReleaseForm,
    ChangePasswordForm,
    EmailForm,
    LanguageForm,
    SimLockForm,
    UnblockSimForm,
)
from recovery.account.login_routes import LOGIN_LIMIT
from recovery.account.web import account_tz, client_ip, current_account, local_time
from recovery.claims import sims
from recovery.claims.actors import Actor
from recovery.clock import now
from recovery.extensions import db
from recovery.models import Account, SimStatus
from recovery.network.unblock import NotBlocked, ReissueOpen, reissue_open, unblock_sim
from recovery.security.passwords import WeakPassword, guessable_words
from recovery.security.ratelimit import F, ip_key, limit_submissions, user_key

#: Wrong passwords typed in the settings, per account and per address (the login's numbers).
PASSWORD_CHECK_LIMIT = LOGIN_LIMIT
_WRONG_PASSWORD = "account_wrong_password"  # noqa: S105 - a flag's name on flask.g, not a password


def _wrong_password_typed(_response: object) -> bool:
    """Flask-Limiter's ``deduct_when``: only a refused password counts against the limit."""
    return bool(g.get(_WRONG_PASSWORD))


def _refused() -> None:
    g.setdefault(_WRONG_PASSWORD, True)


def password_checks(view: F) -> F:
    """One budget for every settings form that checks the password: per account and per address."""
    view = limit_submissions(
        PASSWORD_CHECK_LIMIT, key=user_key, scope="account-password-check", deduct_when=_wrong_password_typed
    )(view)
    return limit_submissions(
        PASSWORD_CHECK_LIMIT, key=ip_key, scope="account-password-check-ip", deduct_when=_wrong_password_typed
    )(view)


def _release_delay() -> timedelta:
    return timedelta(hours=current_app.config["SIM_LOCK_RELEASE_HOURS"])


def _settings_forms(account: Account) -> dict[str, object]:
    subscriber = account.subscriber
    at = now()
    return {
        "language_form": LanguageForm(prefix="language", language=account.language or str(get_locale())),
        "email_form": EmailForm(prefix="email", email=subscriber.email),
        "password_form": ChangePasswordForm(prefix="password"),
        "lock_form": SimLockForm(
            prefix="lock",
            enabled=subscriber.reissue_lock_effective(at) and not subscriber.reissue_lock_release_pending(at),
        ),
        "block_form": BlockSimForm(prefix="block"),
        "unblock_form": UnblockSimForm(prefix="unblock"),
    }


def _settings_page(account: Account, **forms: object) -> str:
    context = _settings_forms(account) | forms
    sim = account.subscriber.current_sim
    return render_template(
        "account/settings.html",
        subscriber=account.subscriber,
        lock_on=account.subscriber.reissue_lock_effective(now()),
        sim=sim,
        sim_active=sim is not None and sim.status == SimStatus.ACTIVE,
        reissue_open=reissue_open(db.session, account.subscriber),
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
@password_checks
def settings_email() -> str | BaseResponse:
    """Save the e-mail for notifications (the password proves it is you; both addresses are told)."""
    account = current_account()
    form = EmailForm(prefix="email")
    if not form.validate_on_submit():
        return _settings_page(account, email_form=form)
    email = (form.email.data or "").strip() or None
    try:
        services.change_email(db.session, account, form.password.data, email, now=now(), ip=client_ip())
    except services.WrongPassword:
        _refused()
        form.password.errors.append(_("This is not your password."))
        return _settings_page(account, email_form=form)
    db.session.commit()
    flash(_("The e-mail for notifications is saved."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/settings/password")
@password_checks
def settings_password() -> str | BaseResponse:
    """Change the password (the current one proves it is you); every other session ends."""
    account = current_account()
    form = ChangePasswordForm(prefix="password")
    form.user_inputs = guessable_words(account.subscriber.msisdn)
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session, account, form.current.data, form.password.data, now=now(), ip=client_ip()
            )
        except services.WrongPassword:
            _refused()
            form.current.errors.append(_("This is not your current password."))
        except WeakPassword:  # pragma: no cover - the form's validator refuses it first
            form.password.errors.append(_("Choose a stronger password."))
        else:
            db.session.commit()
            # The new password ended every session (recovery/auth.py): this one goes on under a new id.
            login_user(account)
            flash(_("Your password is changed. You were signed out everywhere else."), "success")
            return redirect(url_for("account.settings"))
    return _settings_page(account, password_form=form)


@bp.post("/settings/sim-lock")
@password_checks
def settings_sim_lock() -> str | BaseResponse:
    """Turn the SIM lock on (at once), or off with the password (after ``SIM_LOCK_RELEASE_HOURS``)."""
    account = current_account()
    form = SimLockForm(prefix="lock")
    if not form.validate_on_submit():
        return _settings_page(account, lock_form=form)
    if form.enabled.data:
        services.turn_sim_lock_on(db.session, account, now=now(), ip=client_ip())
        db.session.commit()
        flash(_("SIM lock is on: a new SIM for your number is given only in person at an office."), "success")
        return redirect(url_for("account.settings"))
    if not account.subscriber.reissue_lock_effective(now()):
        return redirect(url_for("account.settings"))
    try:
        release_at = services.request_sim_lock_release(
            db.session, account, form.password.data or "", now=now(), delay=_release_delay(), ip=client_ip()
        )
    except services.WrongPassword:
        _refused()
        form.password.errors.append(_("Enter your password to turn the SIM lock off."))
        return _settings_page(account, lock_form=form)
    db.session.commit()
    if release_at is not None:
        flash(
            _(
                "The SIM lock goes off on %(at)s. Until then it stays on, and you can cancel this here; "
                "we have e-mailed you about it.",
                at=local_time(release_at, account_tz(account)),
            ),
            "warning",
        )
    return redirect(url_for("account.settings"))


@bp.post("/settings/sim-lock/cancel")
def settings_sim_lock_cancel() -> BaseResponse:
    """Cancel a pending release of the SIM lock: it stays on (no password: this only protects)."""
    account = current_account()
    if CancelLockReleaseForm(prefix="keep").validate_on_submit():
        services.turn_sim_lock_on(db.session, account, now=now(), ip=client_ip())
        db.session.commit()
        flash(_("The SIM lock stays on: a new SIM for your number is given only in person."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/settings/block")
@password_checks
def settings_block() -> str | BaseResponse:
    """Block my SIM now. The password is the proof; unblocking is here too, or at an office."""
    account = current_account()
    form = BlockSimForm(prefix="block")
    if not form.validate_on_submit():
        return _settings_page(account, block_form=form)
    try:
        services.confirm_password(account, form.password.data)
    except services.WrongPassword:
        _refused()
        form.password.errors.append(_("This is not your password."))
        return _settings_page(account, block_form=form)
    blocked = sims.block_sim(
        db.session, account.subscriber, actor=Actor.account_holder(account, client_ip()), now=now()
    )
    db.session.commit()
    if not blocked.newly_blocked:
        flash(_("Your SIM is already blocked."), "info")
        return redirect(url_for("account.settings"))
    message = _(
        "Your SIM is blocked. Found the phone? Unblock it in the settings. For a new SIM, visit an office."
    )
    flash(message, "success")
    return redirect(url_for("account.overview"))


@bp.post("/settings/unblock")
@password_checks
def settings_unblock() -> str | BaseResponse:
    """Unblock my SIM: the phone is found. The password is the proof; no unblock while a reissue is open."""
    account = current_account()
    form = UnblockSimForm(prefix="unblock")
    if not form.validate_on_submit():
        return _settings_page(account, unblock_form=form)
    try:
        services.confirm_password(account, form.password.data)
    except services.WrongPassword:
        _refused()
        form.password.errors.append(_("This is not your password."))
        return _settings_page(account, unblock_form=form)
    actor = Actor.account_holder(account, client_ip())
    try:
        unblock_sim(db.session, account.subscriber, now=now(), actor=actor)
    except ReissueOpen:
        db.session.rollback()
        form.form_errors.append(_("A new SIM card is on its way for your number: the old one stays blocked."))
        return _settings_page(account, unblock_form=form)
    except NotBlocked:
        db.session.rollback()
        return redirect(url_for("account.settings"))
    db.session.commit()
    flash(_("Your SIM is unblocked. The network lets it on within minutes."), "success")
    return redirect(url_for("account.settings"))
