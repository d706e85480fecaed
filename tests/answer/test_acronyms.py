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
    ("What does EML4-ALK stand for?", "ALK"),
    ("PAR-CLIP stands for", "CLIP"),
    ("SGA abbreviation meaning", "SGA"),
    ("CNIs abbreviation kidney transplant", "CNI"),
    # lead-ins and afterthoughts (a review found these no longer read as acronym questions)
    ("Can you tell me what NLL stands for?", "NLL"),
    ("Please spell out NLL", "NLL"),
    ("What do the letters NLL stand for?", "NLL"),
    ("NLL stands for what?", "NLL"),
    ("What does NLL stand for, exactly?", "NLL"),
    ("In USIP reports, what does NLL stand for?", "NLL"),
    ("What's NATO short for?", "NATO"),
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
    # the acronym is not what is asked about (a review found each refused by the rule)
    "What is the full name of the DPRK leader?",
    "Spell out the DPRK's nuclear demands.",
    "What does the DPRK regime stand for?",
    "Will the DPRK stand for a vote?",
    "Why did the UN stand for sanctions on North Korea?",
    "What does the US want North Korea to stand for?",
    "Does the report on the DPRK use abbreviations?",  # a question, not a keyword search
    "WHAT DOES IT STAND FOR?",  # typed in capitals: "IT" is no acronym
    "WHAT IS THE FULL NAME OF THE PEACE REGIME REPORT?",
    "What values does the US stand for?",  # what it stands for, not what its letters do
    "Who does the ROK stand for?",
    "What does the ROK stand for, politically?",
    "What did NATO stand for during the Cold War?",
])
def test_other_questions_ask_for_no_acronym(question: str) -> None:
    assert asked_expansion(question) is None


@pytest.mark.parametrize(("text", "acronym", "words"), [
    ("at the United States Institute of Peace, the report", "USIP",
     "United States Institute of Peace"),
    ("the Democratic People's Republic of Korea (DPRK)", "DPRK",
     "Democratic People's Republic of Korea"),
    ("the Department Of Defense", "DOD", "Department Of Defense"),  # a capitalised minor word
    # a lower-case minor word between two capitalised ones may be a letter
    ("the Department of Defense", "DOD", "Department of Defense"),
    ("the Republic of Korea", "ROK", "Republic of Korea"),
    ("a Memorandum of Understanding", "MOU", "Memorandum of Understanding"),
    ("the Ministry of Foreign Affairs", "MOFA", "Ministry of Foreign Affairs"),
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
    # a lower-case minor word is never a letter, and a match stays in one sentence
    ("a peace regime on the Korean Peninsula", "ROK"),
    ("the United States and North Korea", "USA"),
    ("the Korean Peninsula. At the summit", "KPA"),
    ("new US-North Korea relations", "UN"),  # no acronym is one of the words
    ("the DPRK (see above)", "DPRK"),  # brackets not opening on its first letter
    ("the Military Demarcation Line of the Demilitarized Zone", "LTD"),  # only "of" a letter
])
def test_a_text_that_only_uses_an_acronym_does_not_spell_it(text: str, acronym: str) -> None:
    assert spelled_out(text, acronym) is None and not defines(text, acronym)


@pytest.mark.parametrize(("text", "acronym"), [
    ("Poly(A)-specific ribonuclease (PARN) is a deadenylase", "PARN"),
    ("crosslinking and immunoprecipitation (PAR-CLIP) combined with", "CLIP"),
    ("ATM (ataxia telangiectasia, mutated)", "ATM"),
    ("GITR (glucocorticoid-induced TNFR family related gene) is", "GITR"),
    ("the Department of Defense (DOD)", "DOD"),
])
def test_a_definition_in_brackets_counts_though_the_initials_differ(text: str,
                                                                    acronym: str) -> None:
    assert defines(text, acronym)


@pytest.mark.parametrize(("text", "acronym", "exact"), [
    ("the Northern Limit Line, conventional forces", "NLL", True),
    ("born small for gestational age (SGA)", "SGA", True),  # the brackets say so
    ("South Korean soldiers, front, and North Korean soldiers, rear", "NKS", False),
    ("South Korea, China, Russia", "SKC", False),  # across a list
    ("translation, libration and screw", "TLS", False),
    ("Patricia M. Kim", "PM", False),  # a single initial
    ("Supported by the Asia Center", "SA", False),  # two minor words between
    ("About the Authors\n\nFrank Aum", "AAFA", False),  # across a heading
])
def test_only_capitalised_words_or_brackets_define_an_acronym_exactly(
        text: str, acronym: str, exact: bool) -> None:
    """An exact definition makes an answer stand as a quote: "North Korean soldiers" for NKS
    and "South Korea, China" for SKC had been answered so (a review's finding)."""
    assert defines(text, acronym) and defines(text, acronym, exactly=True) == exact
