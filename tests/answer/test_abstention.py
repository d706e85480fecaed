"""The abstention rule, on hand-made support values."""

from __future__ import annotations

from rag.answer.abstention import should_abstain
from rag.settings import AbstentionSettings

RULE = AbstentionSettings()


def test_the_rule_refuses_low_support_unless_the_question_quotes() -> None:
    assert not should_abstain(0.0, verbatim=True)
    assert should_abstain(0.1, verbatim=False) and not should_abstain(0.9, verbatim=False)


def test_a_name_the_documents_never_use_asks_for_more_support_not_a_refusal() -> None:
    just_enough = RULE.sentence_threshold + RULE.name_penalty / 2
    assert not should_abstain(just_enough, verbatim=False)
    assert should_abstain(just_enough, verbatim=False, names_unknown=True)
    plenty = RULE.sentence_threshold + 2 * RULE.name_penalty
    assert not should_abstain(plenty, False, names_unknown=True)


def test_the_threshold_comes_from_the_settings() -> None:
    assert should_abstain(0.5, False, settings=AbstentionSettings(sentence_threshold=0.6))
    assert not should_abstain(0.5, False, settings=AbstentionSettings(sentence_threshold=0.4))
