"""Questions asking what an acronym stands for, and the words that spell one out."""

from __future__ import annotations

import pytest

from rag.answer.acronyms import asked_expansion, defines, spelled_out


@pytest.mark.parametrize(("question", "acronym"), [
    ("What does DPRK stand for?", "DPRK"),
    ("what does MEN stand for in gut neurophysiology", "MEN"),
    ("What do the letters in TLS parameterization stand for?", "TLS"),
    ("What does the acronym NLL mean?", "NLL"),
    ("What is NATO short for?", "NATO"),
    ("What is the full form of DMZ?", "DMZ"),
    ("AFDC stands for", "AFDC"),
    ("SGA abbreviation meaning", "SGA"),
    ("CNIs abbreviation kidney transplant", "CNI"),
])
def test_the_acronym_a_question_asks_to_spell_out(question: str, acronym: str) -> None:
    assert asked_expansion(question) == acronym


@pytest.mark.parametrize("question", [
    "What did the US mean by denuclearization?",  # what someone meant, not an acronym's words
    "Who stands for election in the DPRK?",
    "What does the report say about the UN?",
    "miRNA abbreviation",  # not all capitals: its letters are no words' initials
    "DNMTi HDACi abbreviations",  # two acronyms named: which one?
    "What is the full name of North Korean defector Sung-ho?",
])
def test_other_questions_ask_for_no_acronym(question: str) -> None:
    assert asked_expansion(question) is None


@pytest.mark.parametrize(("text", "acronym", "words"), [
    ("at the United States Institute of Peace, the report", "USIP",
     "United States Institute of Peace"),
    ("the Democratic People's Republic of Korea (DPRK)", "DPRK",
     "Democratic People's Republic of Korea"),
    ("the Department of Defense", "DOD", "Department of Defense"),  # a minor word used
    ("the Non-Proliferation Treaty", "NPT", "Non-Proliferation Treaty"),
    ("the United Nations Command", "UN", "United Nations"),
    ("born small for gestational age (SGA)", "SGA", "small for gestational age"),
    ("translation/libration/screw", "TLS", "translation/libration/screw"),
])
def test_the_words_whose_initials_spell_an_acronym(text: str, acronym: str,
                                                   words: str) -> None:
    assert spelled_out(text, acronym) == words
    assert defines(text, acronym)


@pytest.mark.parametrize(("text", "acronym"), [
    ("committed to establish new U.S.-DPRK relations", "DPRK"),  # only used, never spelled
    ("under new rules", "UN"),  # two letters: capitalised words only
    ("the DPRK and the ROK", "DPRK"),
])
def test_a_text_that_only_uses_an_acronym_does_not_spell_it(text: str, acronym: str) -> None:
    assert spelled_out(text, acronym) is None and not defines(text, acronym)


@pytest.mark.parametrize(("text", "acronym"), [
    ("Poly(A)-specific ribonuclease (PARN) is a deadenylase", "PARN"),
    ("crosslinking and immunoprecipitation (PAR-CLIP) combined with", "CLIP"),
    ("ATM (ataxia telangiectasia, mutated)", "ATM"),
])
def test_a_definition_in_brackets_counts_though_the_initials_differ(text: str,
                                                                    acronym: str) -> None:
    assert defines(text, acronym)
