"""Contact details for a booking: phone, address and name, checked with reasons an elder can read."""

from __future__ import annotations

import re

MAX_ADDRESS_CHARS = 200
MAX_NAME_CHARS = 20
_MIN_ADDRESS_CHARS = 4

# Full-width digits and punctuation (and the usual dash look-alikes) typed by Chinese input methods.
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
# Name separators used for minority and foreign names, all written as the middle dot.
_NAME_DOTS = str.maketrans(dict.fromkeys("・•‧∙", "·"))

# 010 (Beijing) and 02X are three digits with the leading 0, every other area code is four.
_AREA = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
_AREA_PREFIX = re.compile(_AREA)
_SEPARATORS = re.compile(r"[\s-]+")
_NOT_DIGIT = re.compile(r"[^0-9]")
_PHONE_CHARS = re.compile(r"[0-9\s()+-]+")
_MOBILE_COMPACT = re.compile(r"(?:\((?:\+|00)?86\)|(?:\+|00)?86)?(1[3-9][0-9]{9})")
_LANDLINE_COMPACT = re.compile(rf"(?:\(({_AREA})\)|({_AREA}))([0-9]{{7,8}})")
# In free text a number may be grouped as 3-4-4 (mobile) or 3/4-4 (landline); no digit may touch it.
_PHONE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:"
    r"(?:(?:\((?:\+|00)?86\)|(?:\+|00)?86)[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}"
    rf"|(?:\({_AREA}\)|{_AREA})[ -]?(?:[0-9]{{7,8}}|[0-9]{{3,4}}[ -][0-9]{{4}})"
    r")(?![0-9])"
)

_PHONE_RULE_ZH = "手机号是 1 开头的 11 位数字，座机请带区号，比如 0917-1234567。"
_PHONE_RULE_EN = (
    "A mobile number has 11 digits starting with 1; a landline needs its area code, e.g. 0917-1234567."
)
_ADDRESS_EXAMPLE_ZH = "比如“幸福路 12 号 3 号楼 502 室”。"
_ADDRESS_EXAMPLE_EN = "e.g. 'Xingfu Road 12, building 3, room 502'."
_NAME_RULE_ZH = "名字只能用汉字或字母，比如“王秀兰”或“王阿姨”。"
_NAME_RULE_EN = "a name may only contain Chinese characters, letters, spaces and '·', e.g. 王秀兰 or Li Ming."


class ContactError(ValueError):
    """Bad contact input; .zh and .en explain what is wrong and what is accepted."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def _phone_error(zh_reason: str, en_reason: str) -> ContactError:
    """A ContactError that gives the reason followed by what a phone number looks like."""
    return ContactError(zh_reason + _PHONE_RULE_ZH, f"{en_reason} {_PHONE_RULE_EN}")


def _diagnose_phone(compact: str) -> ContactError:
    """The most helpful error for a phone number (separators removed) that matched no accepted form."""
    digits = _NOT_DIGIT.sub("", compact)
    if compact.lstrip("(").startswith("+") and digits.startswith("86"):
        digits = digits[2:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    count = len(digits)
    generic = _phone_error("您写的电话号码不对。", "Not a valid phone number.")
    wrong_length = _phone_error(
        f"您写的号码是 {count} 位数字，位数不对。",
        f"The number has {count} digits, which is not a phone number.",
    )
    if 7 <= count <= 8 and not digits.startswith("0"):
        return _phone_error(
            "您写的号码像是座机，但少了区号。", "This looks like a landline without its area code."
        )
    if digits.startswith("1"):
        if count != 11:
            return wrong_length
        if digits[1] in "012":
            return _phone_error(
                f"您写的手机号第二位是 {digits[1]}，手机号的第二位应该是 3 到 9。",
                f"The second digit of a mobile number is 3 to 9, not {digits[1]}.",
            )
    elif digits.startswith("0"):
        area = _AREA_PREFIX.match(digits)
        length_ok = 7 <= count - area.end() <= 8 if area else 10 <= count <= 12
        if not length_ok:
            return wrong_length
    return generic


def normalize_phone(text: str) -> str:
    """The phone number in canonical form, or ContactError."""
    cleaned = text.translate(_TO_ASCII).strip()
    if not cleaned:
        raise _phone_error("您还没有写电话号码。", "No phone number given.")
    if not _PHONE_CHARS.fullmatch(cleaned):
        raise _phone_error(
            "电话号码里请您只写数字，可以用空格或短横线隔开。",
            "A phone number may only contain digits, spaces and dashes.",
        )
    compact = _SEPARATORS.sub("", cleaned)
    mobile = _MOBILE_COMPACT.fullmatch(compact)
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE_COMPACT.fullmatch(compact)
    if landline:
        area = landline.group(1) or landline.group(2)
        return f"{area}-{landline.group(3)}"
    raise _diagnose_phone(compact)


def find_phone(text: str) -> str | None:
    """The first phone number in a longer message (canonical), or None; never raises."""
    for match in _PHONE_IN_TEXT.finditer(text.translate(_TO_ASCII)):
        try:
            return normalize_phone(match.group(0))
        except ContactError:
            continue
    return None


def _collapse(text: str) -> str:
    """Text stripped, runs of whitespace made one space, invisible and control characters dropped."""
    return "".join(ch for ch in " ".join(text.split()) if ch.isprintable())


def normalize_address(text: str) -> str:
    """The address with whitespace tidied, or ContactError (empty, too short, too long, only numbers)."""
    address = _collapse(text)
    if not address:
        raise ContactError(
            "您还没有写地址，请写上路名或小区名和门牌号，" + _ADDRESS_EXAMPLE_ZH,
            "No address given; give the street or residential compound and the door number, "
            + _ADDRESS_EXAMPLE_EN,
        )
    if len(address) > MAX_ADDRESS_CHARS:
        raise ContactError(
            f"地址太长了，请控制在 {MAX_ADDRESS_CHARS} 个字以内。",
            f"The address is too long; at most {MAX_ADDRESS_CHARS} characters.",
        )
    if not any(ch.isalpha() for ch in address):
        raise ContactError(
            "地址不能只有数字，请您写上路名或小区名，" + _ADDRESS_EXAMPLE_ZH,
            "The address has no street or compound name, only numbers; " + _ADDRESS_EXAMPLE_EN,
        )
    if len(address) < _MIN_ADDRESS_CHARS:
        raise ContactError(
            "地址太短了，请您写上路名或小区名和门牌号，" + _ADDRESS_EXAMPLE_ZH,
            f"The address is too short (at least {_MIN_ADDRESS_CHARS} characters); " + _ADDRESS_EXAMPLE_EN,
        )
    return address


def normalize_name(text: str) -> str:
    """The name with whitespace tidied, or ContactError if it is empty, too long or has digits or symbols."""
    name = _collapse(text).translate(_NAME_DOTS)
    if not name:
        raise ContactError("请告诉我怎么称呼您。" + _NAME_RULE_ZH, "No name given; " + _NAME_RULE_EN)
    if len(name) > MAX_NAME_CHARS:
        raise ContactError(
            f"名字太长了，请控制在 {MAX_NAME_CHARS} 个字以内。",
            f"The name is too long; at most {MAX_NAME_CHARS} characters.",
        )
    if not all(ch.isalpha() or ch in " ·" for ch in name) or not (name[0].isalpha() and name[-1].isalpha()):
        raise ContactError(
            "名字里请您不要写数字或符号。" + _NAME_RULE_ZH,
            "The name has digits or symbols; " + _NAME_RULE_EN,
        )
    return name
