"""Login, logout, one's account (password, API tokens) and the administrators' user list."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..errors import DomainError, ValidationFailed
from ..extensions import db, login_manager
from ..web.forms import attach_errors
from ..web.locale import safe_next
from . import services
from .forms import ActiveForm, ApiTokenForm, LoginForm, PasswordForm, UserForm
from .guards import admin_required
from .models import ApiToken, User

bp = Blueprint("auth", __name__)
# Marks a browser that logged in to an account before (see services.authenticate).
DEVICE_COOKIE = "login_device"


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    return services.load_session_user(
        session_token,
        idle_seconds=current_app.config["SESSION_IDLE_SECONDS"],
        max_seconds=current_app.config["SESSION_MAX_SECONDS"],
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("proposals.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    try:
        user = _authenticate(form)
    except services.TooManyAttempts as error:
        db.session.commit()
        flash(_(error.template, **error.params), "error")
        return render_template("auth/login.html", form=form), 429
    if user is None:
        db.session.commit()  # keep the failed attempt
        form.password.errors = [_("Wrong email or password.")]
        return render_template("auth/login.html", form=form), 200
    return _signed_in(user)


def _authenticate(form: LoginForm):
    """The account if the password is right; every attempt is recorded against the limits."""
    config = current_app.config
    device = services.device_from_cookie(
        request.cookies.get(DEVICE_COOKIE),
        form.email.data,
        secret_key=config["SECRET_KEY"],
        max_age=config["LOGIN_DEVICE_MAX_AGE"],
    )
    return services.authenticate(
        email=form.email.data,
        password=form.password.data,
        address=request.remote_addr or "unknown",
        **services.login_limits(config),
        device=device,
        max_per_device=config["LOGIN_MAX_FAILURES_PER_DEVICE"],
    )


def _signed_in(user):
    """Open the session (a fresh cookie, the reader's language kept) and remember the device."""
    config = current_app.config
    token = services.open_session(
        user,
        user_agent=request.user_agent.string,
        max_seconds=config["SESSION_MAX_SECONDS"],
    )
    db.session.commit()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    user.session_token = token
    login_user(user)
    response = redirect(safe_next(request.args.get("next"), url_for("proposals.index")))
    response.set_cookie(
        DEVICE_COOKIE,
        services.device_cookie(user.email, secret_key=config["SECRET_KEY"]),
        max_age=config["LOGIN_DEVICE_MAX_AGE"],
        httponly=True,
        samesite="Lax",
        secure=config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.post("/logout")
@login_required
def logout():
    services.close_session(current_user.session_token)
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    token_form = ApiTokenForm(prefix="token")
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                current=form.current_password.data,
                new=form.new_password.data,
                method=current_app.config["PASSWORD_HASH_METHOD"],
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
                keep_token=current_user.session_token,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Your password is changed; your other sessions are closed."), "success")
            return redirect(url_for("auth.account"))
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id)
    ).all()
    return render_template(
        "auth/account.html", form=form, token_form=token_form, tokens=tokens, new_token=None
    )


@bp.post("/account/tokens")
@login_required
def create_token():
    token_form = ApiTokenForm(prefix="token")
    if not token_form.validate_on_submit():
        flash(_("Give the token a name."), "error")
        return redirect(url_for("auth.account"))
    token = services.create_api_token(current_user, name=token_form.name.data)
    db.session.commit()
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id)
    ).all()
    return render_template(
        "auth/account.html",
        form=PasswordForm(formdata=None),
        token_form=ApiTokenForm(prefix="token", formdata=None),
        tokens=tokens,
        new_token=token,
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    try:
        services.revoke_api_token(token_id, actor=current_user)
    except DomainError:
        abort(404)
    db.session.commit()
    flash(_("The token is revoked."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/admin/users", methods=["GET", "POST"])
@admin_required
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            services.create_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                is_admin=form.is_admin.data,
                method=current_app.config["PASSWORD_HASH_METHOD"],
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("The account is created."), "success")
            return redirect(url_for("auth.users"))
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template(
        "auth/users.html", form=form, accounts=accounts, active_form=ActiveForm()
    )


@bp.post("/admin/users/<int:user_id>/active")
@admin_required
def set_active(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ActiveForm()
    if form.validate_on_submit():
        try:
            services.set_active(user, form.active.data == "1", actor=current_user)
        except DomainError as error:
            flash(_(error.template, **error.params), "error")
        else:
            db.session.commit()
            flash(_("The account is updated."), "success")
    return redirect(url_for("auth.users"))
