"""Staff accounts and their bearer tokens on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.main import main
from bot.core.operators import (
    OperatorError,
    add_operator,
    authenticate,
    issue_token,
    operator_for_token,
)
from bot.core.store import make_engine, session_factory, transaction
from bot.core.store.models import Operator, OperatorRole, OperatorToken, utcnow

PASSWORD = "correct horse battery"


def add(
    sessions: sessionmaker[Session],
    username: str = "zhangsan",
    password: str = PASSWORD,
    role: OperatorRole = OperatorRole.OPERATOR,
) -> int:
    """Add an operator account in its own transaction; return its id."""
    with transaction(sessions) as session:
        return add_operator(session, username, password, role).id


def login(sessions: sessionmaker[Session], username: str, password: str) -> int | None:
    """The id of the account these credentials open, or None."""
    with transaction(sessions) as session:
        operator = authenticate(session, username, password)
        return operator.id if operator else None


def token_for(sessions: sessionmaker[Session], operator_id: int, lifetime: timedelta) -> str:
    """Issue a token for an account in its own transaction."""
    with transaction(sessions) as session:
        operator = session.get(Operator, operator_id)
        assert operator is not None
        token, _ = issue_token(session, operator, lifetime)
        return token


def owner(sessions: sessionmaker[Session], token: str) -> int | None:
    """The id of the operator a token belongs to, or None."""
    with transaction(sessions) as session:
        operator = operator_for_token(session, token)
        return operator.id if operator else None


def test_add_operator_stores_an_argon2_hash_not_the_password(sessions: sessionmaker[Session]) -> None:
    operator_id = add(sessions, "王经理", role=OperatorRole.ADMIN)
    with transaction(sessions) as session:
        stored = session.get(Operator, operator_id)
        assert stored is not None
        assert (stored.username, stored.role, stored.active) == ("王经理", OperatorRole.ADMIN, True)
        assert stored.password_hash.startswith("$argon2")
        assert PASSWORD not in stored.password_hash
        assert "$argon2" not in repr(stored)


@pytest.mark.parametrize("username", ["a", "x" * 65, "zhang san", "admin;drop", "李@四", ""], ids=repr)
def test_a_bad_username_is_refused_in_both_languages(sessions: sessionmaker[Session], username: str) -> None:
    with pytest.raises(OperatorError) as caught:
        add(sessions, username)
    assert caught.value.zh == "用户名只能用 2-64 个字母、数字、汉字或 _ . -"
    assert caught.value.en == "username: 2-64 letters, digits, Chinese, _ . -"
    with transaction(sessions) as session:
        assert session.scalars(select(Operator)).all() == []


def test_a_username_ending_in_a_newline_is_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(OperatorError):
        add(sessions, "lisi\n")


@pytest.mark.parametrize("username", ["li", "x" * 64, "li.si-2_b", "李四"])
def test_good_usernames_are_accepted(sessions: sessionmaker[Session], username: str) -> None:
    assert login(sessions, username, PASSWORD) is None
    operator_id = add(sessions, username)
    assert login(sessions, username, PASSWORD) == operator_id


@pytest.mark.parametrize("password", ["", "1234567", "短密码"])
def test_a_short_password_is_refused_in_both_languages(
    sessions: sessionmaker[Session], password: str
) -> None:
    with pytest.raises(OperatorError) as caught:
        add(sessions, password=password)
    assert (caught.value.zh, caught.value.en) == (
        "密码至少 8 个字符",
        "password must have at least 8 characters",
    )


def test_a_password_of_exactly_eight_characters_is_accepted(sessions: sessionmaker[Session]) -> None:
    operator_id = add(sessions, password="12345678")
    assert login(sessions, "zhangsan", "12345678") == operator_id


def test_a_duplicate_username_is_refused(sessions: sessionmaker[Session]) -> None:
    first = add(sessions)
    with pytest.raises(OperatorError) as caught:
        add(sessions, password="another password")
    assert (caught.value.zh, caught.value.en) == (
        "用户名 zhangsan 已经有了",
        "username zhangsan already exists",
    )
    assert login(sessions, "zhangsan", PASSWORD) == first
    assert login(sessions, "zhangsan", "another password") is None


def test_authenticate_needs_the_right_password_of_an_active_account(sessions: sessionmaker[Session]) -> None:
    operator_id = add(sessions)
    add(sessions, "lisi", password="lisi's own password")
    assert login(sessions, "zhangsan", PASSWORD) == operator_id
    assert login(sessions, "zhangsan", PASSWORD.upper()) is None
    assert login(sessions, "zhangsan", "lisi's own password") is None
    assert login(sessions, "zhangsan", "") is None
    assert login(sessions, "nobody", PASSWORD) is None
    assert login(sessions, "nobody", "not a real password") is None  # the dummy hash's own password
    with transaction(sessions) as session:
        stored = session.get(Operator, operator_id)
        assert stored is not None
        stored.active = False
    assert login(sessions, "zhangsan", PASSWORD) is None


def test_a_token_leads_back_to_its_operator(sessions: sessionmaker[Session]) -> None:
    first, second = add(sessions), add(sessions, "lisi")
    with transaction(sessions) as session:
        operator = session.get(Operator, first)
        assert operator is not None
        token, expires = issue_token(session, operator, timedelta(hours=12))
    assert timedelta(hours=11, minutes=59) < expires - utcnow() <= timedelta(hours=12)
    other = token_for(sessions, second, timedelta(hours=12))
    assert token != other and len(token) >= 43  # 32 random bytes, URL-safe base64
    assert owner(sessions, token) == first
    assert owner(sessions, other) == second
    assert owner(sessions, token + "x") is None
    assert owner(sessions, "") is None


def test_an_expired_token_is_refused_and_cleared_by_the_next_login(sessions: sessionmaker[Session]) -> None:
    operator_id = add(sessions)
    expired = token_for(sessions, operator_id, timedelta(seconds=-1))
    assert owner(sessions, expired) is None
    fresh = token_for(sessions, operator_id, timedelta(hours=1))
    with transaction(sessions) as session:
        hashes = session.scalars(select(OperatorToken.token_hash)).all()
    assert hashes == [hashlib.sha256(fresh.encode("utf-8")).hexdigest()]
    assert owner(sessions, fresh) == operator_id


def test_a_token_of_a_deactivated_account_is_refused(sessions: sessionmaker[Session]) -> None:
    operator_id = add(sessions)
    token = token_for(sessions, operator_id, timedelta(hours=1))
    with transaction(sessions) as session:
        stored = session.get(Operator, operator_id)
        assert stored is not None
        stored.active = False
    assert owner(sessions, token) is None


def test_only_the_tokens_sha256_is_stored(sessions: sessionmaker[Session]) -> None:
    operator_id = add(sessions)
    token = token_for(sessions, operator_id, timedelta(hours=1))
    with transaction(sessions) as session:
        [row] = session.scalars(select(OperatorToken)).all()
        stored = [
            str(getattr(row, column)) for column in ("token_hash", "operator_id", "created_at", "expires_at")
        ]
        assert row.token_hash == hashlib.sha256(token.encode("utf-8")).hexdigest()
        assert row.operator_id == operator_id
    assert all(token not in value for value in stored)


# ----- eldercare operators add -----


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the command line at a new SQLite file; return its URL."""
    url = f"sqlite:///{tmp_path}/operators.db"
    monkeypatch.setenv("ELDERCARE_DATABASE_URL", url)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return url


class _Piped(io.StringIO):
    """Standard input that is a pipe, not a terminal."""

    def isatty(self) -> bool:
        """Not a terminal."""
        return False


def add_with_cli(monkeypatch: pytest.MonkeyPatch, stdin: str, *argv: str) -> int:
    """Run `eldercare operators add …` with a password piped to standard input."""
    monkeypatch.setattr("sys.stdin", _Piped(stdin))
    return main(["operators", "add", *argv])


def test_operators_add_reads_the_password_from_stdin(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add_with_cli(monkeypatch, f"{PASSWORD}\r\nignored line\n", "王经理", "--role", "admin") == 0
    assert capsys.readouterr() == ("已添加 / added 王经理 (admin)\n", "")
    engine = make_engine(cli_database)
    try:
        assert login(session_factory(engine), "王经理", PASSWORD) is not None
        with transaction(session_factory(engine)) as session:
            [stored] = session.scalars(select(Operator)).all()
            assert (stored.username, stored.role) == ("王经理", OperatorRole.ADMIN)
    finally:
        engine.dispose()


def test_operators_add_defaults_to_the_operator_role(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add_with_cli(monkeypatch, PASSWORD + "\n", "lisi") == 0
    assert capsys.readouterr().out == "已添加 / added lisi (operator)\n"


@pytest.mark.parametrize(
    ("stdin", "name", "message"),
    [
        ("short\n", "lisi", "密码至少 8 个字符 / password must have at least 8 characters\n"),
        ("", "lisi", "密码至少 8 个字符 / password must have at least 8 characters\n"),
        (
            PASSWORD + "\n",
            "li si",
            "用户名只能用 2-64 个字母、数字、汉字或 _ . - / username: 2-64 letters, digits, Chinese, _ . -\n",
        ),
    ],
    ids=["short", "empty", "bad-name"],
)
def test_operators_add_refuses_with_exit_code_2(
    cli_database: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stdin: str,
    name: str,
    message: str,
) -> None:
    assert add_with_cli(monkeypatch, stdin, name) == 2
    assert capsys.readouterr() == ("", message)


def test_operators_add_on_a_terminal_asks_twice_and_refuses_different_passwords(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("sys.stdin", io.StringIO())
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert main(["operators", "add", "lisi"]) == 2
    assert capsys.readouterr() == ("", "两次密码不一样 / the passwords differ\n")


def test_operators_add_refuses_a_second_account_of_the_same_name(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add_with_cli(monkeypatch, PASSWORD + "\n", "lisi") == 0
    capsys.readouterr()
    assert add_with_cli(monkeypatch, "other password\n", "lisi", "--role", "admin") == 2
    assert capsys.readouterr() == ("", "用户名 lisi 已经有了 / username lisi already exists\n")
