"""Masking of personal data (phone and ID card numbers) in text and in log records."""

from __future__ import annotations

import logging
import re

# Full-width digits and punctuation map one-to-one onto ASCII, so offsets stay those of the original.
_TO_ASCII = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "＋": "+",
        "（": "(",
        "）": ")",
        "\u3000": " ",
        **dict.fromkeys("－—–‐‑−﹣", "-"),
    }
)

_AREA = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
_NOT_DIGIT = re.compile(r"[^0-9]")
_MOBILE_DIGITS = re.compile(r"(?:0086|86)?(1[3-9][0-9]{9})")
_LANDLINE_DIGITS = re.compile(rf"({_AREA})([0-9]{{7,8}})")
# No digit may touch a match, so years, amounts, dates and booking references stay as they are.
# Phones come first so that 0086 + mobile (15 digits) is masked as a phone, not as an old ID number.
_PERSONAL = re.compile(
    r"(?<![0-9])(?:"
    r"(?P<mobile>(?:(?:\((?:\+|00)?86\)|(?:\+|00)?86)[ -]?)?1[3-9](?:[ -]?[0-9]){9})"
    rf"|(?P<landline>(?:\({_AREA}\)|{_AREA})[ -]?(?:[0-9]{{7,8}}|[0-9]{{3,4}}[ -][0-9]{{4}}))"
    r"|(?P<id>[0-9]{17}[0-9Xx]|[0-9]{15})"
    r")(?![0-9])"
)


def _mask_all_but_last4(text: str) -> str:
    """Every digit but the last four replaced by '*' (all of them when there are four or fewer)."""
    total = sum(ch.isdigit() for ch in text)
    keep = 4 if total > 4 else 0
    out: list[str] = []
    seen = 0
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_phone(phone: str) -> str:
    """'13912345678' -> '139****5678', '029-12345678' -> '029-****5678'; else only the last 4 digits stay."""
    digits = _NOT_DIGIT.sub("", phone.translate(_TO_ASCII))
    mobile = _MOBILE_DIGITS.fullmatch(digits)
    if mobile:
        number = mobile.group(1)
        return f"{number[:3]}****{number[-4:]}"
    landline = _LANDLINE_DIGITS.fullmatch(digits)
    if landline:
        return f"{landline.group(1)}-****{landline.group(2)[-4:]}"
    return _mask_all_but_last4(phone)


def _mask_id_card(number: str) -> str:
    """'610302195001011234' -> '610302********1234': region code and last four kept, birth date hidden."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_personal(text: str) -> str:
    """The text with every mobile, area-coded landline and ID card number in it masked; other numbers kept."""
    mapped = text.translate(_TO_ASCII)
    pieces: list[str] = []
    last = 0
    for match in _PERSONAL.finditer(mapped):
        found = match.group(0)
        masked = _mask_id_card(found) if match.group("id") else mask_phone(found)
        pieces.append(text[last : match.start()])
        pieces.append(masked)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


class PersonalDataFilter(logging.Filter):
    """Masks phone and ID numbers in each log record's message (its args masked, or resolved and cleared)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message masked; never drops a record and never raises."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format call: keep its text, masked, instead of failing in the handler
            try:
                message = f"{record.msg} (unformattable log arguments: {record.args!r})"
            except Exception:
                message = "(unprintable log message)"
        masked = mask_personal(message)
        if masked != message or not isinstance(record.args, tuple | dict | type(None)):
            self._replace(record, message, masked)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal(record.stack_info)
        return True

    @staticmethod
    def _replace(record: logging.LogRecord, message: str, masked: str) -> None:
        """Mask the record, keeping msg and args apart where that gives the same text.

        Formatters such as uvicorn's access log read the args themselves, so args are masked one by
        one when possible; otherwise the masked message replaces msg and args are cleared.
        """
        if isinstance(record.msg, str) and isinstance(record.args, tuple) and record.args:
            args = tuple(mask_personal(a) if isinstance(a, str) else a for a in record.args)
            try:
                if mask_personal(record.msg) % args == masked:
                    record.msg, record.args = mask_personal(record.msg), args
                    return
            except Exception:  # fall back to the resolved message below
                pass
        record.msg = masked
        record.args = None


def install_log_masking(logger: logging.Logger | None = None) -> None:
    """Attach the filter to the root logger's handlers (or the given logger's), idempotently."""
    target = logger if logger is not None else logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(existing, PersonalDataFilter) for existing in handler.filters):
            handler.addFilter(PersonalDataFilter())


# Loggers that keep their own handlers instead of passing records to the root (uvicorn, Sanic, Rasa).
SERVICE_LOGGERS = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "sanic.root",
    "sanic.access",
    "sanic.error",
    "rasa",
)


def install_service_log_masking() -> None:
    """Mask personal data in everything a service logs: the root's handlers and the servers' own."""
    install_log_masking()
    for name in SERVICE_LOGGERS:
        install_log_masking(logging.getLogger(name))
