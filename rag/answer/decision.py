"""Why a search answered or refused, as data: calibration and evaluation read this record,
never the wording of a note."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rag.answer.evidence import Evidence

# Why a search abstained (or did not).
FILTERED_OUT = "no passage matches the filters"
NO_PASSAGE = "no passage"
TOO_FAR = "no sentence close enough"
NO_SEARCH_TERMS = "nothing to search for"
UNKNOWN_SEARCH_TERMS = "no searched word is in the documents"
UNDEFINED_ACRONYM = "no passage found spells out the acronym asked about"
ANSWERED = "answered"


@dataclass(frozen=True)
class Decision:
    """The rules' inputs and outcome: the best sentence similarity (`support`), whether the
    question quotes a top passage (`verbatim`), the answer type it asks for (`expected`: a
    number or a date, or None), the names the documents never use, and the verdict."""

    abstained: bool
    reason: str
    support: float = 0.0
    verbatim: bool = False
    expected: str | None = None
    unknown_names: tuple[str, ...] = ()
    # With the reader on: the best passage's logit and the calibrated probability of an answer.
    reader_logit: float | None = None
    sentence_logit: float | None = None  # the best answer sentence's logit
    probability: float | None = None
    # What the calibration read to give `probability` (rag.answer.evidence), so a fit can
    # read the engine's own numbers from `rag eval` or the JSON.
    evidence: Evidence | None = None

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["evidence"] = None if self.evidence is None else {
            name: round(value, 6) for name, value in self.evidence._asdict().items()}
        data["support"] = round(self.support, 4)
        data["unknown_names"] = list(self.unknown_names)
        for name in ("reader_logit", "sentence_logit", "probability"):
            if data[name] is not None:
                data[name] = round(data[name], 4)
        return data
