"""Contact details for a booking: phone numbers, addresses and names, with reasons an elder can read."""

from __future__ import annotations

import pytest

from bot.core.booking.contact import (
    MAX_ADDRESS_CHARS,
    MAX_NAME_CHARS,
    ContactError,
    find_phone,
    normalize_address,
    normalize_name,
    normalize_phone,
)

PHONE_RULE_ZH = ("1 开头的 11 位数字", "座机请带区号，比如 0917-1234567")


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("13912345678", "13912345678"),
        ("  13912345678  ", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        ("１３９　１２３４　５６７８", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("＋８６ 13912345678", "13912345678"),
        ("+8613912345678", "13912345678"),
        ("8613912345678", "13912345678"),
        ("0086 13912345678", "13912345678"),
        ("(+86)13912345678", "13912345678"),
        ("19987654321", "19987654321"),
        ("010-12345678", "010-12345678"),
        ("(010)12345678", "010-12345678"),
        ("029-12345678", "029-12345678"),
        ("(029)12345678", "029-12345678"),
        ("（029）12345678", "029-12345678"),
        ("02912345678", "029-12345678"),
        ("029 1234 5678", "029-12345678"),
        ("0917 1234567", "0917-1234567"),
        ("0917-1234567", "0917-1234567"),
        ("(0917)1234567", "0917-1234567"),
        ("09171234567", "0917-1234567"),
        ("0755-12345678", "0755-12345678"),
        ("０７５５－１２３４５６７８", "0755-12345678"),
    ],
)
def test_valid_phones_are_made_canonical(typed: str, canonical: str) -> None:
    assert normalize_phone(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "还没有写电话号码"),
        ("   ", "还没有写电话号码"),
        ("1234567", "少了区号"),
        ("12345678", "少了区号"),
        ("8765432", "少了区号"),
        ("87654321", "少了区号"),
        ("1391234567", "10 位数字"),
        ("139123456789", "12 位数字"),
        ("0917123456", "10 位数字"),
        ("12345678901", "第二位是 2"),
        ("11012345678", "第二位是 1"),
        ("139abcd5678", "只写数字"),
        ("电话13912345678", "只写数字"),
        ("13912345678 转 123", "只写数字"),
        ("0123-1234567", "电话号码不对"),
        ("0123-12345", "9 位数字"),
        ("029-123456789", "12 位数字"),
        ("(139)12345678", "电话号码不对"),
        ("13912345678 13812345678", "22 位数字"),
        ("+86 2026", "电话号码不对"),
    ],
)
def test_invalid_phones_say_why_and_what_is_accepted(typed: str, reason: str) -> None:
    with pytest.raises(ContactError) as caught:
        normalize_phone(typed)
    error = caught.value
    assert reason in error.zh
    assert "您" in error.zh
    for accepted in PHONE_RULE_ZH:
        assert accepted in error.zh
    assert "11 digits starting with 1" in error.en
    assert str(error) == error.en


def test_contact_error_is_a_value_error_with_both_languages() -> None:
    error = ContactError("中文", "English")
    assert isinstance(error, ValueError)
    assert (error.zh, error.en, str(error)) == ("中文", "English", "English")


@pytest.mark.parametrize(
    ("message", "found"),
    [
        ("我电话13912345678，下午在家", "13912345678"),
        ("手机是 139 1234 5678 谢谢", "13912345678"),
        ("打＋８６　１３９１２３４５６７８找我女儿", "13912345678"),
        ("座机（029）12345678，白天有人", "029-12345678"),
        ("电话 0917-1234567 8点以后在家", "0917-1234567"),
        ("我家在3号楼502，电话13812345678或者13912345678", "13812345678"),
        ("我家在3号楼502", None),
        ("我2026年搬过来的", None),
        ("预约2026-12-01上午，单号20261201-0007", None),
        ("身份证610302195001011234", None),
        ("号码1391234567少了一位", None),
        ("号码139123456789多了一位", None),
        ("", None),
    ],
)
def test_find_phone_in_a_sentence(message: str, found: str | None) -> None:
    assert find_phone(message) == found


@pytest.mark.parametrize(
    ("typed", "address"),
    [
        ("幸福路12号3号楼502室", "幸福路12号3号楼502室"),
        ("  雁塔区  幸福路 12 号\n3 号楼　502 室 ", "雁塔区 幸福路 12 号 3 号楼 502 室"),
        ("12 Xingfu Road", "12 Xingfu Road"),
        ("幸福小区", "幸福小区"),
        ("幸福路\u200b12号\x00", "幸福路12号"),
        ("长" * MAX_ADDRESS_CHARS, "长" * MAX_ADDRESS_CHARS),
    ],
)
def test_valid_addresses_are_tidied(typed: str, address: str) -> None:
    assert normalize_address(typed) == address


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("长" * (MAX_ADDRESS_CHARS + 1), "地址太长了，请控制在 200 个字以内。"),
        ("", "还没有写地址"),
        ("  \n　", "还没有写地址"),
        ("3-502", "不能只有数字"),
        ("12 - 502 #", "不能只有数字"),
        ("１２３４５６", "不能只有数字"),
        ("3号楼", "地址太短了"),
    ],
)
def test_invalid_addresses_say_why(typed: str, reason: str) -> None:
    with pytest.raises(ContactError) as caught:
        normalize_address(typed)
    assert reason in caught.value.zh
    assert caught.value.en


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("王秀兰", "王秀兰"),
        ("  王阿姨 ", "王阿姨"),
        ("Li Ming", "Li Ming"),
        ("Li   Ming", "Li Ming"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("李", "李"),
        ("王" * MAX_NAME_CHARS, "王" * MAX_NAME_CHARS),
    ],
)
def test_valid_names_are_tidied(typed: str, name: str) -> None:
    assert normalize_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "怎么称呼您"),
        ("   ", "怎么称呼您"),
        ("王" * (MAX_NAME_CHARS + 1), "名字太长了，请控制在 20 个字以内。"),
        ("王阿姨2", "不要写数字或符号"),
        ("13912345678", "不要写数字或符号"),
        ("王-秀兰", "不要写数字或符号"),
        ("王秀兰!", "不要写数字或符号"),
        ("·王秀兰", "不要写数字或符号"),
        ("·", "不要写数字或符号"),
    ],
)
def test_invalid_names_say_why(typed: str, reason: str) -> None:
    with pytest.raises(ContactError) as caught:
        normalize_name(typed)
    assert reason in caught.value.zh
    assert caught.value.en
