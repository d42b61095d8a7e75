"""Masking of phone and ID card numbers in text and in log records."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.core.masking import PersonalDataFilter, install_log_masking, mask_personal, mask_phone


class Collector(logging.Handler):
    """Keeps every record it is given and its formatted text."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, Collector]]:
    """A private, non-propagating logger and the collecting handler on it, removed again after the test."""
    log = logging.getLogger("tests.masking.private")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    handler = Collector()
    log.addHandler(handler)
    yield log, handler
    log.removeHandler(handler)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13912345678", "139****5678"),
        ("139 1234 5678", "139****5678"),
        ("+86 13912345678", "139****5678"),
        ("１３９１２３４５６７８", "139****5678"),
        ("029-12345678", "029-****5678"),
        ("(010)87654321", "010-****4321"),
        ("0917-1234567", "0917-****4567"),
        ("12345", "*2345"),
        ("1234", "****"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "王阿姨电话13912345678，身份证610302195001011234，定金300元，"
            "2026-12-01上门，单号20261201-0007，座机029-12345678。",
            "王阿姨电话139****5678，身份证610302********1234，定金300元，"
            "2026-12-01上门，单号20261201-0007，座机029-****5678。",
        ),
        ("身份证61030219500101123X号", "身份证610302********123X号"),
        ("老身份证610302500101123", "老身份证610302*****1123"),
        ("打 +86 139 1234 5678 或（0917）1234567", "打 139****5678 或0917-****4567"),
        ("手机１３９１２３４５６７８", "手机139****5678"),
        ("1950年出生，住3号楼502，电话8765432", "1950年出生，住3号楼502，电话8765432"),
        ("订单号139123456789012345678", "订单号139123456789012345678"),
        ("", ""),
    ],
)
def test_mask_personal(text: str, masked: str) -> None:
    assert mask_personal(text) == masked


def test_mask_personal_is_idempotent() -> None:
    once = mask_personal("电话13912345678，身份证610302195001011234，座机029-12345678")
    assert mask_personal(once) == once


def test_filter_masks_a_message_with_args(logged: tuple[logging.Logger, Collector]) -> None:
    logger, handler = logged
    handler.addFilter(PersonalDataFilter())
    logger.info("booking for %s, phone %s, id %s", "王秀兰", "13912345678", "610302195001011234")
    (record,) = handler.records
    assert record.getMessage() == "booking for 王秀兰, phone 139****5678, id 610302********1234"
    assert record.args == ("王秀兰", "139****5678", "610302********1234")  # kept apart, masked
    assert handler.lines == [record.getMessage()]


def test_formatters_that_read_the_args_still_work(logged: tuple[logging.Logger, Collector]) -> None:
    """uvicorn's access log formatter unpacks record.args itself; the filter must leave them usable."""
    logger, handler = logged
    handler.addFilter(PersonalDataFilter())
    logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/healthz", "1.1", 200)
    logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/api/x?phone=13912345678", "1.1", 200)
    plain, masked = handler.records
    assert plain.args == ("127.0.0.1:5000", "GET", "/healthz", "1.1", 200)
    assert masked.args == ("127.0.0.1:5000", "GET", "/api/x?phone=139****5678", "1.1", 200)
    assert "13912345678" not in " ".join(handler.lines)


def test_filter_masks_dict_args_exceptions_and_bad_format_calls(
    logged: tuple[logging.Logger, Collector],
) -> None:
    logger, handler = logged
    handler.addFilter(PersonalDataFilter())
    logger.warning("call %(phone)s", {"phone": "029-12345678"})
    try:
        raise ValueError("bad phone 13912345678")
    except ValueError:
        logger.exception("failed")
    logger.error("too few args %s %s", "13912345678")
    lines = handler.lines
    assert lines[0] == "call 029-****5678"
    assert "bad phone 139****5678" in lines[1]
    assert "13912345678" not in lines[1]
    assert "139****5678" in lines[2]
    assert "13912345678" not in lines[2]


def test_without_the_filter_the_number_is_logged(logged: tuple[logging.Logger, Collector]) -> None:
    logger, handler = logged
    logger.info("phone %s", "13912345678")
    assert handler.lines == ["phone 13912345678"]


def test_install_masks_records_from_child_loggers_and_is_idempotent(
    logged: tuple[logging.Logger, Collector],
) -> None:
    logger, handler = logged
    install_log_masking(logger)
    install_log_masking(logger)
    assert sum(isinstance(f, PersonalDataFilter) for f in handler.filters) == 1
    child = logging.getLogger(f"{logger.name}.child")
    child.info("phone %s", "13912345678")
    assert handler.lines == ["phone 139****5678"]


def test_install_defaults_to_the_root_loggers_handlers() -> None:
    root = logging.getLogger()
    handler = Collector()
    saved = root.handlers[:]
    # Only our handler on the root, so that pytest's own handlers do not get (and keep) the filter.
    root.handlers = [handler]
    try:
        install_log_masking()
        assert [type(f) for f in handler.filters] == [PersonalDataFilter]
        logging.getLogger("tests.masking.elsewhere").warning("id %s", "610302195001011234")
        assert handler.lines == ["id 610302********1234"]
    finally:
        root.handlers = saved
