"""Near-duplicate detection: NFKC character bigrams and their Jaccard similarity."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.similarity import bigrams, jaccard


def test_chinese_text_is_split_into_overlapping_character_pairs():
    assert bigrams("派出所推诿") == {"派出", "出所", "所推", "推诿"}


@pytest.mark.parametrize(
    "text",
    ["派出所，推诿。", "派出所 推诿", "「派出所」——推诿！", "派出所\n\t推诿", "派出所、推诿……"],
    ids=["comma-full-stop", "space", "quotes-dash", "newline-tab", "enumeration-ellipsis"],
)
def test_punctuation_and_spaces_are_ignored(text):
    assert bigrams(text) == bigrams("派出所推诿")


def test_full_width_letters_and_digits_fold_to_ascii():
    assert bigrams("ＡＢＣ１２３") == bigrams("abc123")


def test_letters_are_compared_without_case():
    assert bigrams("ABC") == bigrams("abc") == {"ab", "bc"}


def test_digits_count_as_text():
    assert bigrams("报警110") == {"报警", "警1", "11", "10"}


def test_a_single_character_is_its_own_gram():
    assert bigrams("诉") == {"诉"}
    assert bigrams("！诉。") == {"诉"}


@pytest.mark.parametrize(
    "text", ["", "   ", "，。！？", "——……"], ids=["empty", "spaces", "cjk-punct", "dashes"]
)
def test_text_without_letters_or_digits_has_no_grams(text):
    assert bigrams(text) == frozenset()


def test_repeated_pairs_count_once():
    assert bigrams("哈哈哈哈") == {"哈哈"}


def test_identical_texts_are_fully_similar():
    grams = bigrams("三个派出所互相推诿，都说不归自己管")

    assert jaccard(grams, grams) == 1.0
    assert jaccard(grams, bigrams("三个派出所互相推诿都说不归自己管！")) == 1.0


def test_texts_sharing_no_pair_are_not_similar_at_all():
    assert jaccard(bigrams("派出所推诿"), bigrams("交通违章罚款")) == 0.0


def test_similarity_is_the_shared_share_of_all_pairs():
    assert jaccard(frozenset({"ab", "bc"}), frozenset({"bc", "cd"})) == pytest.approx(1 / 3)


def test_similarity_does_not_depend_on_the_order_of_its_arguments():
    a = bigrams("三个派出所互相推诿")
    b = bigrams("两个派出所互相推诿扯皮")

    assert jaccard(a, b) == jaccard(b, a)
    assert 0.0 < jaccard(a, b) < 1.0


def test_two_texts_without_grams_are_not_called_duplicates():
    assert jaccard(frozenset(), frozenset()) == 0.0
    assert jaccard(frozenset(), bigrams("推诿")) == 0.0


def test_a_lightly_edited_complaint_scores_higher_than_an_unrelated_one():
    original = bigrams("我在福田报警，三个派出所都说不归他们管，互相推诿。")
    edited = bigrams("我在福田区报警后，三个派出所都说不归他们管，一直互相推诿！")
    unrelated = bigrams("申请查询交通违章记录，网站一直打不开。")

    assert jaccard(original, edited) > 0.6
    assert jaccard(original, unrelated) < 0.1


@given(st.text(max_size=60), st.text(max_size=60))
def test_similarity_of_any_two_texts_is_between_0_and_1_and_symmetric(x, y):
    a, b = bigrams(x), bigrams(y)

    score = jaccard(a, b)

    assert 0.0 <= score <= 1.0
    assert score == jaccard(b, a)


@given(st.text(max_size=60))
def test_any_text_with_a_letter_or_digit_is_fully_similar_to_itself(x):
    grams = bigrams(x)

    assert jaccard(grams, grams) == (1.0 if grams else 0.0)


@given(st.text(max_size=60))
def test_grams_are_one_or_two_characters_long(x):
    grams = bigrams(x)

    assert all(1 <= len(gram) <= 2 for gram in grams)
    assert all(len(gram) == 2 for gram in grams) or len(grams) == 1
