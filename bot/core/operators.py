"""Staff accounts: argon2-hashed passwords, bearer tokens (only their SHA-256 is stored), roles."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.core.store.models import Operator, OperatorRole, OperatorToken, utcnow

logger = logging.getLogger(__name__)

USERNAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,64}$")
MIN_PASSWORD_CHARS = 8
TOKEN_BYTES = 32  # 256 bits
_hasher = PasswordHasher()
# Verified against when the username does not exist, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


class OperatorError(Exception):
    """An account cannot be created or used as asked; .zh and .en say why."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_operator(session: Session, username: str, password: str, role: OperatorRole) -> Operator:
    """Create a staff account; the password is stored as an argon2 hash."""
    if not USERNAME.fullmatch(username):
        raise OperatorError(
            "用户名只能用 2-64 个字母、数字、汉字或 _ . -", "username: 2-64 letters, digits, Chinese, _ . -"
        )
    if len(password) < MIN_PASSWORD_CHARS:
        raise OperatorError(
            f"密码至少 {MIN_PASSWORD_CHARS} 个字符",
            f"password must have at least {MIN_PASSWORD_CHARS} characters",
        )
    if session.scalars(select(Operator).where(Operator.username == username)).first() is not None:
        raise OperatorError(f"用户名 {username} 已经有了", f"username {username} already exists")
    operator = Operator(username=username, password_hash=_hasher.hash(password), role=role, active=True)
    session.add(operator)
    session.flush()
    logger.info("operator %s added (%s)", username, role.value)
    return operator


def authenticate(session: Session, username: str, password: str) -> Operator | None:
    """The active account with this username and password, or None."""
    operator = session.scalars(select(Operator).where(Operator.username == username)).first()
    try:
        _hasher.verify(operator.password_hash if operator else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if operator is None or not operator.active:
        return None
    return operator


def issue_token(session: Session, operator: Operator, lifetime: timedelta) -> tuple[str, datetime]:
    """A new bearer token for the operator and when it expires; expired tokens are cleared."""
    now = utcnow()
    session.execute(delete(OperatorToken).where(OperatorToken.expires_at < now))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = now + lifetime
    session.add(OperatorToken(token_hash=_token_hash(token), operator_id=operator.id, expires_at=expires))
    session.flush()
    return token, expires


def operator_for_token(session: Session, token: str) -> Operator | None:
    """The active operator a token belongs to, while it has not expired."""
    row = session.scalars(select(OperatorToken).where(OperatorToken.token_hash == _token_hash(token))).first()
    if row is None or row.expires_at <= utcnow() or not row.operator.active:
        return None
    return row.operator
