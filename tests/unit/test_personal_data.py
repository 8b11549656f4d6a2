"""Personal data: phone and ID-number validation, masking, and salted commitments."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationFailed
from domain.personal import (
    Identity,
    commit,
    mask_id_number,
    mask_name,
    mask_phone,
    normalise_id_number,
    normalise_phone,
)

# GB 11643: weights of the first 17 digits, and the check character for (sum mod 11).
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def with_check_digit(first17: str) -> str:
    """Complete 17 digits into a valid resident identity number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return first17 + CHECK_CHARACTERS[total % 11]


def with_wrong_check_digit(first17: str) -> str:
    right = with_check_digit(first17)[-1]
    return first17 + next(c for c in "0123456789X" if c != right)


def full_width(text: str) -> str:
    """ASCII digits and letters as their full-width forms (what a Chinese IME often types)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# Published examples of well-formed numbers (GB 11643 and its common illustrations).
KNOWN_VALID = ["11010519491231002X", "440524188001010014"]


# -- phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("  138\t0013\n8000  ", "13800138000"),
        ("(0755) 8888-1234", "075588881234"),
        ("+86 138 0013 8000", "+8613800138000"),
        (full_width("13800138000"), "13800138000"),
        (full_width("+86 138-0013-8000"), "+8613800138000"),
        ("138\u30000013\u30008000", "13800138000"),  # ideographic space
        ("12345", "12345"),
        ("1" * 15, "1" * 15),
    ],
    ids=[
        "plain",
        "spaces",
        "dashes",
        "tabs-newlines",
        "brackets",
        "country-code",
        "full-width-digits",
        "full-width-plus-and-dash",
        "ideographic-space",
        "five-digits",
        "fifteen-digits",
    ],
)
def test_a_phone_is_normalised_to_its_digits(raw, phone):
    assert normalise_phone(raw) == phone


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "1234", "1" * 16, "138OO138000", "phone", "+", "86+13800138000", "138.0013.8000"],
    ids=[
        "empty",
        "blank",
        "four-digits",
        "sixteen-digits",
        "letter-o",
        "word",
        "plus-only",
        "plus-inside",
        "dots",
    ],
)
def test_an_invalid_phone_is_refused(raw):
    with pytest.raises(ValidationFailed) as refused:
        normalise_phone(raw)

    assert refused.value.field == "complainant.phone"


def test_a_phone_in_arabic_indic_digits_is_refused_or_folded_to_ascii():
    # NFKC leaves Arabic-Indic digits alone, yet the Unicode-aware \d accepts them, so the
    # same number can be stored (and committed to) in two different spellings.
    try:
        phone = normalise_phone("١٣٨٠٠١٣٨٠٠٠")
    except ValidationFailed:
        return
    assert phone == "13800138000"


# -- identity numbers ------------------------------------------------------------------------


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_a_published_example_id_number_is_accepted(number):
    assert normalise_id_number(number) == number


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_an_id_number_with_the_right_check_digit_is_accepted(first17):
    number = with_check_digit(first17)

    assert normalise_id_number(number) == number


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_an_id_number_with_a_wrong_check_digit_is_refused(first17):
    with pytest.raises(ValidationFailed, match="check digit is wrong") as refused:
        normalise_id_number(with_wrong_check_digit(first17))

    assert refused.value.field == "complainant.idNumber"


def test_a_lower_case_x_check_digit_is_normalised_to_upper_case():
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"


def test_an_id_number_in_full_width_digits_and_padded_with_spaces_is_normalised():
    assert normalise_id_number(f"  {full_width('11010519491231002x')} ") == "11010519491231002X"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1101051949123100",
        "11010519491231002",
        "11010519491231002X0",
        "1101051949123100XX",
        "X10105194912310020",
        "11010519491231002Y",
        "110105 19491231002X",
        "11010519491231002-",
    ],
    ids=[
        "empty",
        "sixteen",
        "seventeen",
        "nineteen",
        "x-not-last",
        "x-first",
        "y-check",
        "inner-space",
        "dash-check",
    ],
)
def test_a_malformed_id_number_is_refused(raw):
    with pytest.raises(ValidationFailed, match="17 digits and a check digit") as refused:
        normalise_id_number(raw)

    assert refused.value.field == "complainant.idNumber"


def test_an_id_number_in_arabic_indic_digits_is_refused_or_folded_to_ascii():
    arabic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in "11010519491231002X")
    try:
        number = normalise_id_number(arabic)
    except ValidationFailed:
        return
    assert number == "11010519491231002X"


# -- identity --------------------------------------------------------------------------------


def test_an_identity_is_parsed_into_normal_forms():
    identity = Identity.parse(
        name="  王小明 ", phone="138-0013-8000", id_number="11010519491231002x"
    )

    assert identity == Identity(name="王小明", phone="13800138000", id_number="11010519491231002X")


@pytest.mark.parametrize("id_number", [None, ""], ids=["none", "empty"])
def test_an_identity_without_an_id_number_has_none(id_number):
    identity = Identity.parse(name="李四", phone="13800138000", id_number=id_number)

    assert identity.id_number is None


def test_an_identity_name_in_full_width_letters_is_folded():
    identity = Identity.parse(name=full_width("Li Si"), phone="13800138000", id_number=None)

    assert identity.name == "Li Si"


@pytest.mark.parametrize("name", ["", "   ", "王" * 101], ids=["empty", "blank", "too-long"])
def test_an_identity_needs_a_name_of_1_to_100_characters(name):
    with pytest.raises(ValidationFailed) as refused:
        Identity.parse(name=name, phone="13800138000", id_number=None)

    assert refused.value.field == "complainant.name"


def test_a_hundred_character_name_is_accepted():
    assert Identity.parse(name="王" * 100, phone="13800138000", id_number=None).name == "王" * 100


def test_an_identity_with_a_bad_phone_or_id_number_is_refused_naming_the_field():
    with pytest.raises(ValidationFailed) as bad_phone:
        Identity.parse(name="王小明", phone="12", id_number=None)
    with pytest.raises(ValidationFailed) as bad_id:
        Identity.parse(name="王小明", phone="13800138000", id_number="110105194912310020")

    assert bad_phone.value.field == "complainant.phone"
    assert bad_id.value.field == "complainant.idNumber"


# -- masking ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王小明", "王**"), ("王五", "王*"), ("王", "王*"), ("欧阳娜娜", "欧***"), ("Li Si", "L****")],
)
def test_a_name_is_masked_to_its_first_character(name, masked):
    assert mask_name(name) == masked


def test_a_single_character_name_is_still_masked():
    assert mask_name("王") != "王"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+8613800138000", "+86*******8000"),
        ("12345678", "123*5678"),
        ("1234567", "***4567"),
        ("12345", "*2345"),
    ],
)
def test_a_phone_is_masked_keeping_its_prefix_and_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked
    assert len(mask_phone(phone)) == len(phone)


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_an_id_number_is_masked_keeping_region_and_check_digits(number):
    masked = mask_id_number(number)

    assert masked == number[:4] + "*" * 10 + number[-4:]
    assert number[6:14] not in masked  # the birth date is hidden


def test_masked_values_do_not_contain_the_full_value():
    identity = Identity.parse(name="王小明", phone="13800138000", id_number=KNOWN_VALID[0])

    assert identity.id_number is not None
    assert mask_name(identity.name) != identity.name
    assert mask_phone(identity.phone) != identity.phone
    assert mask_id_number(identity.id_number) != identity.id_number


# -- commitments -----------------------------------------------------------------------------

PERSON = Identity(name="王小明", phone="13800138000", id_number="11010519491231002X")


def test_a_commitment_is_the_documented_salted_sha256():
    salt = b"\x01salt"

    expected = hashlib.sha256(salt + b"phone" + b"\x00" + b"13800138000").hexdigest()

    assert commit(salt, "phone", "13800138000") == expected
    assert PERSON.commitments(salt)["phone"] == expected
    assert PERSON.commitments(salt)["name"] == commit(salt, "name", "王小明")


def test_commitments_are_deterministic_for_the_same_salt():
    assert PERSON.commitments(b"salt-a") == PERSON.commitments(b"salt-a")


def test_commitments_differ_across_salts():
    a = PERSON.commitments(b"salt-a")
    b = PERSON.commitments(b"salt-b")

    for field in ("name", "phone", "idNumber"):
        assert a[field] != b[field], field


def test_commitments_differ_across_fields_even_for_the_same_value():
    same = Identity(name="13800138000", phone="13800138000")

    commitments = same.commitments(b"salt")

    assert commitments["name"] != commitments["phone"]
    assert commit(b"salt", "name", "x") != commit(b"salt", "phone", "x")


def test_commitments_hold_no_plain_value():
    commitments = PERSON.commitments(b"salt")

    assert set(commitments) == {"name", "phone", "idNumber"}
    for value in commitments.values():
        assert value is not None
        assert len(value) == 64
        assert int(value, 16) >= 0
        assert PERSON.phone not in value


def test_the_id_number_commitment_is_none_when_there_is_no_id_number():
    commitments = Identity(name="王小明", phone="13800138000").commitments(b"salt")

    assert commitments["idNumber"] is None
    assert commitments["name"] is not None
    assert commitments["phone"] is not None


def test_differently_typed_spellings_of_one_phone_commit_to_the_same_value():
    typed = Identity.parse(name="王小明", phone=full_width("138-0013-8000"), id_number=None)
    plain = Identity.parse(name="王小明", phone="13800138000", id_number=None)

    assert typed.commitments(b"salt") == plain.commitments(b"salt")


@given(salt=st.binary(max_size=32), value=st.text(max_size=40))
def test_a_commitment_is_64_hex_characters_for_any_salt_and_value(salt, value):
    digest = commit(salt, "name", value)

    assert len(digest) == 64
    assert set(digest) <= set("0123456789abcdef")
