"""The browser app: ask, read cited passages, open a citation in its source, share a link.

A thin face over the `rag` engine: every search, citation, build and upload goes through
`rag`; this page only lays results out. Run it with `bash scripts/run.sh`, or
`streamlit run app.py` once the index is built (`rag build`).

Permalinks: `?q=question` (with optional `k`, `doc`, `type`, `from`, `to`) reruns a question,
`?cite=KEY` opens a citation; the address bar always shows what is on screen.
"""

from __future__ import annotations

import html
import logging
import threading
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import streamlit as st

from rag.answer.relevance import QUOTED
from rag.cite.export import to_json, to_markdown
from rag.cite.highlight import link, mark_span, mark_terms, safe_url
from rag.cite.references import human_date, page_mention
from rag.engine import DEFAULT_K, Engine, SearchResult
from rag.errors import RagError
from rag.index.builder import build_index
from rag.index.embedding import shared_embedder
from rag.index.fingerprint import Freshness
from rag.index.store import current_build
from rag.ingest.corpus_admin import add_document
from rag.ingest.scan import SUPPORTED_SUFFIXES
from rag.messages import REFUSAL_DETAIL
from rag.retrieval.filters import Filters
from rag.retrieval.question import clean_question
from rag.settings import default_corpus_dir, default_index_dir

log = logging.getLogger("rag.app")

TITLE = "Korea peace-regime QA"
MAX_K = 20
EXAMPLES = (
    "Which countries besides the two Koreas and the US must take part in a peace regime?",
    "What are the risks if South Korea builds nuclear weapons?",
    "How could ordinary North Koreans benefit from peaceful coexistence?",
)
BAR_LOW, BAR_HIGH = 0.15, 0.75  # scores mapped to an empty and a full relevance bar
LABEL_COLOURS = {QUOTED: "#1b7f3b", "strong match": "#1b7f3b", "good match": "#2a7ab0",
                 "partial match": "#b7791f", "weak match": "#8a8f98"}

CSS = """
<style>
.rag-card { line-height: 1.5; }
.rag-head { font-weight: 600; font-size: 1.05rem; }
.rag-num { color: #555; margin-right: .35rem; }
.rag-meta { color: #555; font-size: .88rem; margin: .1rem 0 .4rem; }
.rag-rel { display: flex; align-items: center; gap: .5rem; font-size: .85rem;
           margin-bottom: .5rem; }
.rag-bar { display: inline-block; width: 110px; height: 8px; background: #e6e8eb;
           border-radius: 4px; overflow: hidden; }
.rag-bar > span { display: block; height: 100%; border-radius: 4px; }
.rag-score { color: #777; font-size: .78rem; }
.rag-text, .rag-context { white-space: pre-wrap; font-size: .95rem; }
.rag-context { border-left: 3px solid #d0d4d9; padding-left: .8rem; }
mark.qt { background: #fff3a8; padding: 0 .08em; border-radius: 2px; }
mark.cited { background: #ffe08a; box-shadow: 0 0 0 2px #ffe08a; border-radius: 2px; }
.rag-key { color: #666; font-size: .8rem; margin-top: .4rem; }
.rag-nearest { color: #8a5a00; font-size: .8rem; font-weight: 600; text-transform: uppercase;
               letter-spacing: .03em; }
.rag-question { font-size: 1.15rem; font-weight: 600; margin: .3rem 0; }
</style>
"""


# ---------------------------------------------------------------- loading, once per process


@st.cache_resource(show_spinner=False, max_entries=4)
def open_engine(index_dir: str, corpus_dir: str, build: str | None) -> Engine:
    """The index in memory. `build` (the current build's folder) is part of the cache key,
    so a rebuild, from this app or from `rag build`, is picked up on the next run."""
    return Engine.open(Path(index_dir), Path(corpus_dir))


@st.cache_resource(show_spinner=False)
def model_warmup() -> threading.Thread:
    """Load the embedding model in the background as soon as the first page opens."""
    thread = threading.Thread(target=shared_embedder, name="rag-model-warmup", daemon=True)
    thread.start()
    return thread


def wait_for_model() -> None:
    warmup = model_warmup()
    if warmup.is_alive():
        with st.spinner("Loading the language model (once per server start)…"):
            warmup.join()


@st.cache_data(ttl=15, show_spinner=False, max_entries=8)
def index_freshness(index_dir: str, corpus_dir: str, build: str | None) -> Freshness:
    return open_engine(index_dir, corpus_dir, build).freshness()


def locations() -> tuple[Path, Path, str | None]:
    index_dir, corpus_dir = default_index_dir(), default_corpus_dir()
    build = current_build(index_dir)
    return index_dir, corpus_dir, str(build) if build else None


def load_engine() -> tuple[Engine | None, str | None]:
    index_dir, corpus_dir, build = locations()
    try:
        return open_engine(str(index_dir), str(corpus_dir), build), None
    except RagError as err:
        return None, str(err)


# ---------------------------------------------------------------- state and permalinks


def first_param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    for fmt, cut in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            return datetime.strptime(value[:cut], fmt).date()
        except ValueError:
            continue
    return None


def boot_from_url(engine: Engine | None) -> None:
    """On a session's first run, the address bar sets what is on screen."""
    state = st.session_state
    if state.get("booted"):
        return
    state.booted = True
    state.question_box = first_param("q") or ""
    state.q = as_engine_reads(state.question_box)
    state.q_raw = state.question_box
    state.cite = first_param("cite")
    try:
        state.k = max(1, min(MAX_K, int(first_param("k") or DEFAULT_K)))
    except ValueError:
        state.k = DEFAULT_K
    documents = engine.documents if engine else {}
    state.f_docs = [d for d in st.query_params.get_all("doc") if d in documents]
    types = {d.metadata.type for d in documents.values()}
    state.f_types = [t for t in st.query_params.get_all("type") if t in types]
    state.f_from = parse_day(first_param("from"))
    state.f_to = parse_day(first_param("to"))


def current_filters() -> Filters:
    state = st.session_state
    return Filters(frozenset(state.get("f_docs") or ()), frozenset(state.get("f_types") or ()),
                   state.f_from.isoformat() if state.get("f_from") else None,
                   state.f_to.isoformat() if state.get("f_to") else None)


def wanted_params() -> dict[str, str | list[str]]:
    state = st.session_state
    params: dict[str, str | list[str]] = {}
    if state.get("q"):
        params["q"] = state.q
        if state.get("k", DEFAULT_K) != DEFAULT_K:
            params["k"] = str(state.k)
        if state.get("f_docs"):
            params["doc"] = list(state.f_docs)
        if state.get("f_types"):
            params["type"] = list(state.f_types)
        if state.get("f_from"):
            params["from"] = state.f_from.isoformat()
        if state.get("f_to"):
            params["to"] = state.f_to.isoformat()
    if state.get("cite"):
        params["cite"] = state.cite
    return params


def sync_url() -> None:
    """Make the address bar show exactly what is on screen (and nothing stale)."""
    wanted = wanted_params()
    have = {key: (st.query_params.get_all(key) if isinstance(wanted.get(key), list)
                  else st.query_params.get(key)) for key in st.query_params}
    if have != wanted:
        st.query_params.from_dict(wanted)


def as_engine_reads(question: str | None) -> str | None:
    """The question as the engine will read it (trimmed, cut to its limit), or None."""
    try:
        return clean_question(question or "").text
    except RagError:
        return None


def ask(question: str) -> None:
    st.session_state.q = as_engine_reads(question)
    st.session_state.q_raw = question  # searched as typed, so the engine's notes show
    st.session_state.question_box = question
    st.session_state.cite = None
    st.session_state.empty_submit = st.session_state.q is None


def on_submit() -> None:
    ask(st.session_state.get("question_box", ""))


def open_citation(key: str) -> None:
    st.session_state.cite = key.strip() or None


def close_citation() -> None:
    st.session_state.cite = None


def on_lookup() -> None:
    key = st.session_state.get("lookup_box", "").strip()
    st.session_state.cite = key or None
    st.session_state.lookup_empty = not key


def clear_filters() -> None:
    st.session_state.f_docs = []
    st.session_state.f_types = []
    st.session_state.f_from = None
    st.session_state.f_to = None


def permalink(params: dict[str, str | list[str]]) -> str:
    try:
        parts = urlsplit(st.context.url or "")
        base = f"{parts.scheme}://{parts.netloc}{parts.path or '/'}" if parts.netloc else ""
    except Exception:  # a test runner without a browser URL
        base = ""
    return f"{base}?{urlencode(params, doseq=True)}"


# ---------------------------------------------------------------- rendering


def esc(text: object) -> str:
    return html.escape(str(text))


def where(section: str | None, page_label: str | None, day: str | None = None,
          kind: str | None = None) -> str:
    parts = [section, page_mention(page_label), human_date(day) if day else None, kind]
    return " · ".join(esc(p) for p in parts if p)


def relevance_html(label: str, closeness: float) -> str:
    """The label and a bar, both from the passage's closeness (see `rag.relevance`)."""
    fraction = max(0.04, min(1.0, (closeness - BAR_LOW) / (BAR_HIGH - BAR_LOW)))
    colour = LABEL_COLOURS.get(label, "#8a8f98")
    return (f'<div class="rag-rel" title="cosine similarity of its closest sentence to the '
            f'question: {closeness:.2f}"><span class="rag-bar"><span style="width:'
            f'{fraction * 100:.0f}%;background:{colour}"></span></span>'
            f'<span style="color:{colour};font-weight:600">{esc(label)}</span>'
            f'<span class="rag-score">closeness {closeness:.2f}</span></div>')


def passage_html(passage, question: str, nearest: bool) -> str:
    meta = where(passage.section, passage.page_label, passage.date, passage.type)
    flag = ('<div class="rag-nearest">Nearest passage — not a confident answer</div>'
            if nearest else "")
    return (f'<div class="rag-card" data-key="{esc(passage.key)}">{flag}'
            f'<div class="rag-head"><span class="rag-num">[{passage.rank}]</span>'
            f'{link(passage.url, passage.title)}</div>'
            f'<div class="rag-meta">{meta}</div>'
            f'{relevance_html(passage.relevance, passage.signals["closeness"])}'
            f'<div class="rag-text">{mark_terms(passage.text, question)}</div>'
            f'<div class="rag-key">citation key <code>{esc(passage.key)}</code></div></div>')


def run_search(engine: Engine, question: str, k: int, filters: Filters) -> SearchResult:
    """One search per (index, question, k, filters) per session; reruns reuse it."""
    memo_key = (id(engine), question, k, filters)
    memo = st.session_state.get("result_memo")
    if memo and memo[0] == memo_key:
        return memo[1]
    wait_for_model()
    with st.spinner("Searching…"):
        result = engine.search(question, k, filters)
    st.session_state.result_memo = (memo_key, result)
    return result


def citations_for(engine: Engine, result: SearchResult) -> dict:
    cited = {}
    for passage in result.passages:
        try:
            cited[passage.key] = engine.cite(passage.key)
        except RagError:
            continue
    return cited


def export_filters(filters: Filters) -> dict[str, object]:
    shown: dict[str, object] = {}
    if filters.doc_ids:
        shown["documents"] = sorted(filters.doc_ids)
    if filters.types:
        shown["types"] = sorted(filters.types)
    if filters.date_from:
        shown["from"] = filters.date_from
    if filters.date_to:
        shown["to"] = filters.date_to
    return shown


def show_results(engine: Engine) -> None:
    state = st.session_state
    filters = current_filters()
    try:
        result = run_search(engine, state.get("q_raw") or state.q, state.k, filters)
    except RagError as err:
        st.error(str(err))
        return
    # The address bar and the box show the question as the engine read it (trimmed, cut).
    state.q = result.question
    st.html(f'<div class="rag-question">Results for: {esc(result.question)}</div>')
    for note in result.notes:
        st.info(note)
    if not filters.is_empty():
        st.caption("Filtered: " + "; ".join(
            f"{name} {', '.join(v) if isinstance(v, list) else v}"
            for name, v in export_filters(filters).items()))
    if result.abstained:
        st.warning(f"**{result.answer or 'The documents do not say.'}** {REFUSAL_DETAIL} "
                   "Try other words, or remove filters.")
    answer = getattr(result, "answer", None)
    if answer and not result.abstained:
        st.html('<div class="rag-head">Answer (extracted from the passages)</div>'
                f'<div class="rag-text">{esc(answer)}</div>')
    if not result.passages:
        st.info("No passage to show.")
        return
    cited = citations_for(engine, result)
    fmt = {"filters": export_filters(filters)}
    left, right, _ = st.columns(3)
    left.download_button("Download Markdown", to_markdown(result, cited, **fmt),
                         file_name="answer.md", mime="text/markdown", icon=":material/download:")
    right.download_button("Download JSON", to_json(result, cited, **fmt),
                          file_name="answer.json", mime="application/json",
                          icon=":material/download:")
    for passage in result.passages:
        with st.container(border=True):
            st.html(passage_html(passage, result.question, result.abstained))
            st.button("Open citation", key=f"open-{passage.rank}-{passage.key}",
                      on_click=open_citation, args=(passage.key,),
                      icon=":material/format_quote:")


def show_citation(engine: Engine) -> None:
    state = st.session_state
    if state.get("q"):
        st.button("← Back to the results", on_click=close_citation, key="back")
    try:
        citation = engine.cite(state.cite)
    except RagError as err:
        st.error(str(err))
        return
    st.html(f'<div class="rag-head">{link(citation.url, citation.title)}</div>'
            f'<div class="rag-meta">{where(citation.section, citation.page_label)}'
            f'{" · " if citation.section or citation.page_label else ""}characters '
            f'{citation.start}–{citation.end}</div>')
    st.caption("The cited passage, highlighted in its context:")
    offset = citation.context_start
    st.html('<div class="rag-context">'
            f'{"… " if citation.context_start > 0 else ""}'
            f'{mark_span(citation.context, citation.start - offset, citation.end - offset)}'
            '</div>')
    st.markdown("**Reference (Chicago)**")
    st.code(citation.reference, language=None, wrap_lines=True)
    st.markdown("**BibTeX**")
    st.code(citation.bibtex, language="latex", wrap_lines=True)
    st.markdown("**Citation key** and **link to this citation**")
    st.code(citation.key, language=None)
    st.code(permalink({"cite": citation.key}), language=None, wrap_lines=True)
    if safe_url(citation.url):
        st.link_button("Open the source", safe_url(citation.url), icon=":material/open_in_new:")


def show_welcome() -> None:
    st.write("Ask a question about the USIP report *A Peace Regime for the Korean Peninsula* "
             "and related USIP pieces. Every passage comes with a citation you can open, "
             "check in its source and copy.")
    st.caption("Examples:")
    for number, example in enumerate(EXAMPLES):
        st.button(example, key=f"example-{number}", on_click=ask, args=(example,))


def sidebar(engine: Engine | None) -> None:
    with st.sidebar:
        st.header("Filters")
        if engine is None:
            st.caption("Filters appear once an index is built.")
        else:
            documents = engine.documents
            st.multiselect("Documents", options=sorted(documents, key=lambda d: documents[
                d].metadata.title), format_func=lambda d: documents[d].metadata.title,
                key="f_docs", placeholder="All documents")
            st.multiselect("Type", options=sorted({d.metadata.type for d in documents.values()}),
                           key="f_types", placeholder="All types")
            days = [parse_day(d.metadata.date) for d in documents.values() if d.metadata.date]
            days = [d for d in days if d]
            low = min(days, default=date(1900, 1, 1))
            high = max(days, default=date.today())
            low, high = min(low, date(low.year, 1, 1)), max(high, date(high.year, 12, 31))
            col1, col2 = st.columns(2)
            col1.date_input("From", key="f_from", min_value=date(1900, 1, 1),
                            max_value=date(2100, 12, 31), format="YYYY-MM-DD",
                            help=f"Documents dated from {low.year} to {high.year}.")
            col2.date_input("To", key="f_to", min_value=date(1900, 1, 1),
                            max_value=date(2100, 12, 31), format="YYYY-MM-DD")
            st.slider("Passages to show", 1, MAX_K, key="k")
            st.button("Clear filters", on_click=clear_filters)
        st.divider()
        st.header("Look up a citation")
        with st.form("lookup", border=False):
            st.text_input("Citation key", key="lookup_box",
                          placeholder="document-id:0123456789")
            st.form_submit_button("Look up", on_click=on_lookup, icon=":material/format_quote:")


def do_rebuild(index_dir: Path, corpus_dir: Path) -> None:
    bar = st.progress(0.0, text="Reading the documents…")

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0, text=f"{stage}: {done} of {total}")

    wait_for_model()
    try:
        report = build_index(corpus_dir, index_dir, progress=progress)
    except RagError as err:
        bar.empty()
        st.error(str(err))
        return
    bar.progress(1.0, text="Done")
    open_engine.clear()
    index_freshness.clear()
    st.session_state.pop("result_memo", None)
    skipped = "".join(f"\n- skipped {s.relpath}: {s.reason}" for s in report.skipped)
    st.session_state.flash = (
        f"Indexed {report.documents} documents, {report.chunks} passages "
        f"({report.embedded} embedded, {report.reused} reused) in {report.seconds:.1f} s."
        + skipped)
    st.rerun()


def do_uploads(corpus_dir: Path, files: list) -> None:
    """Check and copy each upload (refused ones leave the corpus as it was), then rerun with
    a fresh uploader so the report and the index's new state show together."""
    outcomes = [add_document(corpus_dir, upload.name, upload.getvalue()) for upload in files]
    st.session_state.upload_report = [(o.name, o.added, o.message) for o in outcomes]
    st.session_state.upload_round = st.session_state.get("upload_round", 0) + 1
    index_freshness.clear()
    st.rerun()


def show_upload_report() -> None:
    report = st.session_state.pop("upload_report", None) or []
    for name, added, message in report:
        if added:
            st.success(f"{name}: {message}")
        else:
            st.error(f"Refused {name}: {message}. The corpus is unchanged.")
    if any(added for _, added, _ in report):
        st.info("Rebuild the index (button above) to make the new documents searchable.")


def corpus_panel(engine: Engine | None, problem: str | None, stale: Freshness | None) -> None:
    index_dir, corpus_dir, _ = locations()
    needs_build = engine is None or (stale is not None and stale.stale)
    # Open the panel when something new needs the user there (a missing or stale index, an
    # upload's report), but let them close it again: its open state is kept per session.
    reason = (problem, stale.describe() if stale else "", bool(st.session_state.get(
        "upload_report")))
    if st.session_state.get("panel_reason") != reason:
        st.session_state.panel_reason = reason
        if needs_build or reason[2]:
            st.session_state.corpus_panel = True
    with st.expander("Corpus and index", expanded=needs_build, key="corpus_panel",
                     on_change="rerun", icon=":material/library_books:"):
        if engine is not None:
            built = engine.manifest.get("built_at", "")
            st.write(f"Index built **{esc(built.replace('T', ' ').replace('+00:00', ' UTC'))}**: "
                     f"{len(engine.documents)} documents, {engine.manifest.get('chunks', '?')} "
                     "passages.")
            st.dataframe(
                [{"Title": d.metadata.title, "Type": d.metadata.type,
                  "Date": d.metadata.date or "undated", "File": d.source, "Id": d.doc_id}
                 for d in engine.documents.values()],
                hide_index=True, width="stretch")
            skipped = {path: entry.get("skipped") for path, entry in
                       engine.manifest.get("files", {}).items() if entry.get("skipped")}
            for path, reason in skipped.items():
                st.caption(f"Not indexed: {path} ({reason})")
        else:
            st.write(f"No usable index in `{index_dir}`.")
        if stale is not None and stale.stale:
            st.write(f"Changed since the last build: {stale.describe()}.")
        if st.button("Rebuild the index" if engine else "Build the index",
                     type="primary" if needs_build else "secondary", key="rebuild",
                     icon=":material/refresh:"):
            do_rebuild(index_dir, corpus_dir)
        st.divider()
        kinds = ", ".join(sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES))
        round_ = st.session_state.get("upload_round", 0)
        files = st.file_uploader(f"Add documents to the corpus ({kinds})",
                                 type=sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES),
                                 accept_multiple_files=True, key=f"upload-{round_}")
        if files and st.button("Add to the corpus", key="add-files", icon=":material/upload:"):
            do_uploads(corpus_dir, files)
        show_upload_report()


def main() -> None:
    # No page_icon: Streamlit fetches Material icons from Google; the default icon is local.
    st.set_page_config(page_title=TITLE, layout="centered")
    st.html(CSS)
    engine, problem = load_engine()
    boot_from_url(engine)
    state = st.session_state
    # Early as well as at the end: Streamlit's browser side may apply a query-string change
    # sent at the very end of a form-submitted run only on the next run.
    sync_url()

    st.title(TITLE)
    stale = None
    if engine is None:
        st.error(f"The app cannot search yet: {problem}")
    else:
        index_dir, corpus_dir, build = locations()
        stale = index_freshness(str(index_dir), str(corpus_dir), build)
        if stale.stale:
            st.warning(f"The index is out of date ({stale.describe()}): results come from the "
                       "index as it was built. Rebuild it in *Corpus and index* below.")
    flash = state.pop("flash", None)
    if flash:
        st.success(flash)
    sidebar(engine)

    with st.form("ask", border=False, enter_to_submit=True):
        st.text_input("Your question", key="question_box",
                      placeholder="e.g. " + EXAMPLES[0])
        st.form_submit_button("Search", type="primary", on_click=on_submit,
                              icon=":material/search:")
    if state.pop("empty_submit", False):
        st.error("The question is empty: type a question in words, e.g. "
                 f"“{EXAMPLES[0]}”")
    if state.pop("lookup_empty", False):
        st.error("Type or paste a citation key, e.g. peace-regime-for-the-korean-peninsula:"
                 "0123456789 (copy one from a search result).")

    if engine is not None:
        if state.get("cite"):
            show_citation(engine)
        elif state.get("q"):
            show_results(engine)
        else:
            show_welcome()
    corpus_panel(engine, problem, stale)
    sync_url()
    if engine is not None:
        model_warmup()  # after the page is drawn: the model loads while the user types


try:
    main()
except RagError as err:
    st.error(str(err))
except Exception:
    log.exception("Unexpected error in the app")
    st.error("Something went wrong while preparing this page. Reload it; if this keeps "
             "happening, rebuild the index from *Corpus and index* or run `rag build`.")
