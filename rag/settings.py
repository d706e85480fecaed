"""Where things live and which settings shape the index.

Only the settings that change what the index contains go into its fingerprint; the
fingerprint names the build and is compared on load, so an index built differently is
refused instead of silently used (the PaperQA2 idea of a settings hash).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar, Literal, get_args

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
MAX_QUESTION_CHARS = 1000
CandidateMode = Literal["auto", "always", "never"]
CANDIDATE_MODES: tuple[str, ...] = get_args(CandidateMode)


@dataclass(frozen=True)
class Settings:
    """Everything that changes the index's content; part of its fingerprint."""

    chunk_size: int = 1000
    chunk_overlap: int = 150
    # Read each passage after its document title and section, and mix the title into each
    # sentence's vector (rag.index.title_context): the text itself, and so every citation
    # span, stays exact.
    embed_with_context: bool = True
    # From this many passages on, a passage's vector is pooled from its sentences' and its
    # title's (rag.index.pooled_passages) instead of read by the model: that halves what a
    # large build reads, at a cost measured in docs/speed.md. A smaller corpus, which builds
    # in a few minutes anyway, has every passage read.
    pool_passages_from: int = 5000
    # Settings that decide how a build works, not what the index holds: an index made under
    # another value is as usable, so they stay out of its fingerprint.
    BUILD_ONLY: ClassVar[tuple[str, ...]] = ("pool_passages_from",)
    # BM25 (bm25s), tuned on SciFact train: see docs/quality.md.
    bm25_method: str = "lucene"
    bm25_k1: float = 0.9
    bm25_b: float = 0.75
    bm25_stemming: bool = True
    bm25_stopwords: bool = True
    bm25_title_repeat: int = 3

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def fingerprint_fields(self) -> dict[str, object]:
        """What an index must have been built with to be used with these settings."""
        return {k: v for k, v in self.as_dict().items() if k not in self.BUILD_ONLY}


@dataclass(frozen=True)
class FusionSettings:
    """How the dense and lexical signals become one ranking (rag.retrieval)."""

    # Convex fusion of z-scores; the weight chosen by 5-fold cross-validation on SciFact train.
    dense_weight: float = 0.75
    rrf_k: int = 60  # reciprocal rank fusion, the baseline hybrid is measured against
    # A passage's dense signal: this much its best sentence's cosine, the rest its own.
    best_sentence_weight: float = 0.75
    # Score only candidates (rag.retrieval.candidates): "auto" when the index keeps its
    # vectors compact (past rag.index.vector_set.EXACT_LIMIT sentences), "always", "never".
    candidates: CandidateMode = "auto"
    candidate_depth: int = 300  # sentences nearest the question, and best units by BM25
    # Units whose dense scores estimate the collection's statistics. SciFact train nDCG@10 over
    # three sample seeds: 2,048 units 0.7544 / 0.7526 / 0.7544, 1,024 units 0.7534 / 0.7541 /
    # 0.7534 (the seed moves it as much as the size), and 0.2-0.4 ms less a question.
    stats_sample: int = 1024

    def __post_init__(self) -> None:
        # A typo ("Always") would otherwise silently mean "auto".
        if self.candidates not in CANDIDATE_MODES:
            raise ValueError(f"FusionSettings.candidates must be one of "
                             f"{', '.join(CANDIDATE_MODES)}, not {self.candidates!r}")


@dataclass(frozen=True)
class AnswerSettings:
    """Which sentences answer, and how a quote of the text is recognised (rag.answer)."""

    passages_read: int = 3  # the first passages whose sentences may answer
    max_sentences: int = 2
    second_sentence_ratio: float = 0.9  # a second sentence must score this close to the best
    # Weight of the question-term overlap when choosing sentences: on the dev set the share of
    # answers holding the gold rose from 0.603 to 0.655 at 0.3 and stayed there up to 1.0.
    overlap_weight: float = 0.3
    rank_prior: float = 0.02  # per rank: earlier passages are likelier to answer (near-ties)
    quote_window: int = 20  # how many of the best passages are checked for a quote
    verbatim_words: int = 8  # consecutive words shared with a passage make a quote
    keyword_search_words: int = 5  # up to this many words, not phrased as a question


@dataclass(frozen=True)
class AbstentionSettings:
    """When to refuse, and how closeness is put in words (rag.answer.abstention, relevance)."""

    # The best answer sentence's cosine below which the search refuses: chosen on the dev set
    # by bench/calibrate_abstention.py.
    sentence_threshold: float = 0.5252
    name_penalty: float = 0.06  # extra support a question naming an unknown name needs
    # The support as a probability that the documents answer (Platt scaling), fitted on the dev
    # sets (eval/devset.jsonl and the reader data's dev split, 372 questions) by
    # `python -m training.calibrate_reader build/evalsets --support`: shown as the confidence
    # when the reader is off.
    confidence_scale: float = 3.0831
    confidence_shift: float = -1.0912
    strong_match: float = 0.65  # relevance labels; "good match" starts at the threshold
    partial_match: float = 0.35


# `ReaderSettings.rescore_sentences` for every candidate sentence (they come from a few passages).
ALL_SENTENCES = 1_000


@dataclass(frozen=True)
class ReaderSettings:
    """Our own cross-encoder (rag.answer.reader): reranking, answer sentence, P(answered).

    `enabled=False` runs retrieval and the similarity rules alone (as before the reader), so
    retrieval can be measured by itself. The switches below the line exist for the ablation
    (training/ablate_reader.py); their defaults are what it measured best on dev."""

    # On: on both dev sets it separates answerable questions better than the similarity rule and
    # ranks as well or better (docs/reader.md). `--no-reader` or `enabled=False` runs
    # retrieval and the similarity rules alone.
    enabled: bool = True
    model: str = "reader-l6"
    # The fused passages the reader rereads and reranks, by logit + `retrieval_weight` × fused
    # score: both chosen on the dev sets by training/sweep_reader.py (docs/reader.md); the
    # depth moved from 3 to 5 in session 15, with the calibration refitted (*Five passages
    # reread*: five more dev passages first, for 11 ms).
    depth: int = 5
    retrieval_weight: float = 3.0
    # Refuse below this calibrated probability (None: the one calibrated with the model on dev,
    # in its record); "likely" from `likely` up, "uncertain" between.
    threshold: float | None = None
    likely: float = 0.8
    # ---- heuristics kept or dropped by the ablation
    quote_rule: bool = True  # a question quoting a top passage is never refused
    # The answer sentence chosen by the reader's probability among the `rescore_sentences`
    # candidates that cosine and term overlap rank best (0: by those alone, as without the
    # reader). 5 on the dev sets: answers holding the gold 183 of 261 against 167 (0), 174 (3)
    # and 187 (all, at twice the cost); each sentence read costs about 10 ms.
    rescore_sentences: int = 5
    # ... by that probability plus this × their similarity total (cosine + 0.3 × overlap + the
    # rank prior, what chooses them without the reader). Dev, answers holding the gold of 261:
    # 183 (0, the reader alone), 190 (0.5), 190 (0.75), 191 (1), 188 (2); the reader alone
    # had cost the project's USIP set answers (0.500 against 0.655 without it; 0.586 at 1).
    sentence_similarity_weight: float = 1.0
    # That probability is sigmoid(scale × the sentence's logit + shift), fixed here rather than
    # taken from the model's calibration: since the confidence reads more than the logit
    # (rag.answer.evidence), its refit on dev moves with those signals, and it moved the answer
    # sentence chosen (new dev answers holding the gold 0.764 -> 0.739). These are the stage-3
    # reader's calibration, under which answers were measured before that refit (the weight
    # above was last swept under the stage-3a reader's).
    # The same probability labels each reread passage but the best (rag.answer.reading).
    pair_logit_scale: float = 0.462
    pair_logit_shift: float = -0.568
    # An unknown name costs `name_penalty` probability: on since 2026-12-04, when the ablation
    # under the listwise model found it one right refusal better on dev at no cost.
    names_rule: bool = True
    name_penalty: float = 0.1
    answer_type_rule: bool = False  # "how many" needs a sentence with a number, "when" a date
    sentence_rule: bool = False  # also require the similarity rule's sentence threshold

    def __post_init__(self) -> None:
        # It was a switch: `True` would now quietly mean "reread one sentence".
        if isinstance(self.rescore_sentences, bool) or self.rescore_sentences < 0:
            raise ValueError("ReaderSettings.rescore_sentences is how many sentences to reread "
                             f"(0 for none), not {self.rescore_sentences!r}")


@dataclass(frozen=True)
class QuerySettings:
    """Every knob that shapes an answer at query time, in one place. None of it changes the
    index, so it is not part of the fingerprint; an `Engine` takes one."""

    k: int = 5  # passages shown
    fusion: FusionSettings = field(default_factory=FusionSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    abstention: AbstentionSettings = field(default_factory=AbstentionSettings)
    reader: ReaderSettings = field(default_factory=ReaderSettings)
    # Correct misspelt question words towards the corpus's words (rag.retrieval.spelling).
    spelling: bool = True


# Retrieval, the extractive answer and the similarity rules, without the reader: what the speed
# benchmarks time and what the reader is compared against.
RETRIEVAL_ONLY = QuerySettings(reader=ReaderSettings(enabled=False))


def fingerprint_hash(fingerprint: dict[str, object]) -> str:
    """A short stable hash of a settings fingerprint."""
    blob = json.dumps(fingerprint, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def project_root(start: Path | None = None) -> Path:
    """The folder holding `corpus/` and `pyproject.toml`: searched upwards from the working
    directory, else the checkout this package was installed from."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "corpus").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    return PACKAGE_ROOT


def cache_root() -> Path:
    """Where derived files that are costly to remake live: the exported ONNX model, BEIR
    indexes and their vectors (`RAG_CACHE_DIR`, else `.rag-cache/` in the project)."""
    env = os.environ.get("RAG_CACHE_DIR")
    return Path(env) if env else project_root() / ".rag-cache"


def default_corpus_dir() -> Path:
    env = os.environ.get("RAG_CORPUS_DIR")
    return Path(env) if env else project_root() / "corpus"


def default_index_dir() -> Path:
    env = os.environ.get("RAG_INDEX_DIR")
    return Path(env) if env else project_root() / "index"
