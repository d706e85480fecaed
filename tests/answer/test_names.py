"""Names the documents never mention (fast: a hand-made vocabulary)."""

from __future__ import annotations

from rag.answer.names import counted_words, unknown_names

KNOWN = {"korea", "north", "south", "hanoi", "summit", "what", "the", "report"}


def known(word: str) -> bool:
    return word.lower() in KNOWN


def test_capitalised_words_the_documents_never_use_are_reported_once() -> None:
    question = "What happened at the Stockholm talks between North Korea and Stockholm officials?"
    assert unknown_names(question, known) == ["Stockholm"]


def test_sentence_and_quotation_starts_and_acronyms_are_not_names() -> None:
    assert unknown_names("Stockholm talks: Were they held?", known) == []
    assert unknown_names("Did the report say \u201cWhatever it takes\u201d?", known) == []
    assert unknown_names("What does USIP say about the DMZ?", known) == []


def test_hyphenated_names_are_one_name() -> None:
    assert unknown_names("What did Moon Jae-in sign in Hanoi?", known) == ["Moon", "Jae-in"]


def test_what_a_how_many_question_counts_is_held_to_the_same_test() -> None:
    """"How many nuclear warheads …": documents that never say "warheads" cannot count them."""
    assert counted_words("How many nuclear warheads does North Korea have?") == [
        "nuclear", "warheads"]
    assert counted_words("how much aid from China?") == ["aid"]
    assert counted_words("What happened in Hanoi?") == []
    # the verb after what is counted is not held to the test, nor an acronym
    assert counted_words("How many countries want a peace regime?") == ["countries"]
    assert counted_words("How many summits took place in 2018?") == ["summits"]
    assert counted_words("How many people died in the war?") == ["people"]
    assert counted_words("How many UN member states voted?") == ["member", "states"]
    vocabulary = KNOWN | {"nuclear", "have", "does"}
    assert unknown_names("How many nuclear warheads does North Korea have?",
                         lambda word: word.lower() in vocabulary) == ["warheads"]
    assert unknown_names("How many summits did North Korea hold?", known) == ["summits"]
    assert unknown_names("How many summit talks in Hanoi?",
                         lambda word: word.lower() in KNOWN | {"talks"}) == []
