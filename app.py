"""The browser app: ask, read cited passages, open a citation in its source, share a link.

A thin face over the `rag` engine: every search, citation, build and upload goes through
`rag`; this page only lays results out. Run it with `bash scripts/run.sh`, or
`streamlit run app.py` once the index is built (`rag build`).

Permalinks: `?q=question` (with optional `k`, `doc`, `type`, `from`, `to`) reruns a question,
`?cite=KEY` opens a citation; the address bar always shows what is on screen.
"""

from __future__ import annotations

import logging
from datetime import date

import streamlit as st

from rag.answer.decision import FILTERED_OUT
from rag.cite.export import download_name, to_json, to_markdown
from rag.cite.highlight import link, mark_span, safe_url
from rag.engine import Engine
from rag.errors import RagError
from rag.messages import (
    FILTERED_REFUSAL_DETAIL,
    FROM_METADATA,
    NO_PASSAGE_DETAIL,
    RANKING_NOTE,
    REFUSAL,
    REFUSAL_DETAIL,
)
from rag.retrieval.filters import Filters
from rag.web.cards import CSS, confidence_html, esc, passage_html, where
from rag.web.corpus_panel import corpus_panel
from rag.web.loading import index_freshness, load_engine, locations, model_warmup
from rag.web.markdown import md_text
from rag.web.scripts import (
    back_by_history,
    bring_into_view,
    calendar_buttons_off_the_tab_order,
    copy_buttons,
    hold_edit_while_away,
    tell_screen_reader,
)
from rag.web.session import (
    MAX_K,
    ask,
    back_is_history,
    boot_from_url,
    clear_filters,
    close_citation,
    current_filters,
    on_edit,
    on_lookup,
    on_submit,
    open_citation,
    parse_day,
    permalink,
    run_search,
    sync_url,
    unless_all,
)

log = logging.getLogger("rag.app")

TITLE = "Korea peace-regime QA"
# Each answered from the shipped corpus by the sentence that says it (tests/web/test_app.py).
# "What are the risks if South Korea builds nuclear weapons?" was one: the corpus has only the
# piece's opening, which asks the question and names no risk, and a first-time user clicking it
# read a sentence about Moscow's arms at `likely`.
EXAMPLES = (
    "Which countries besides the two Koreas and the US must take part in a peace regime?",
    "Why did the Hanoi summit fail?",
    "How could ordinary North Koreans benefit from peaceful coexistence?",
)



# ---------------------------------------------------------------- rendering


def show_results(engine: Engine) -> str:
    """Lay out one search; return what a screen reader should announce of it."""
    state = st.session_state
    filters = current_filters()
    back_from = state.pop("back_from", None)  # the passage whose citation was open, once
    try:
        result = run_search(engine, state.get("q_raw") or state.q, state.k, filters)
    except RagError as err:
        st.error(md_text(err))
        return str(err)
    # The address bar and the box show the question as the engine read it (trimmed, cut).
    state.q = result.question
    # At most three lines: a pasted page would fill the screen (the full text is its tooltip).
    st.html(f'<div class="rag-question" role="heading" aria-level="2" '
            f'title="{esc(result.searched)}">Results for: '
            f'{esc(result.searched)}</div>')
    for note in result.notes:
        st.info(md_text(note))
    shown = filters_shown(engine, filters)
    if not filters.is_empty():
        st.caption("Filtered: " + md_text(filters_text(engine, filters)))
    confidence = confidence_html(result)
    count = len(result.passages)
    said = [f"{count} passage{'s' * (count != 1)} found." if count else "No passage found.",
            *(() if count else result.notes)]  # why, when nothing is ("No document matches …")
    # Filtered to nothing, the note says why ("No document matches the filters"): the
    # refusal beside it ("The documents do not say", "No passage to show") had contradicted
    # it, since no document was searched (a first-time user's finding).
    if result.abstained and result.decision.reason == FILTERED_OUT:
        return " ".join(said)
    if result.abstained:
        detail = NO_PASSAGE_DETAIL if not result.passages else REFUSAL_DETAIL if \
            filters.is_empty() else FILTERED_REFUSAL_DETAIL
        hint = "Try other words." if filters.is_empty() else "Try other words, or remove filters."
        st.warning(f"**{md_text(result.answer or REFUSAL)}** {detail} {hint}")
        said.append(f"{result.answer or REFUSAL} {detail}")
        if confidence:
            st.html(confidence)
    answer = getattr(result, "answer", None)
    if answer and not result.abstained:
        st.html('<div class="rag-head" role="heading" aria-level="3">Answer (extracted from '
                'the passages)</div>'
                f'<div class="rag-text">{esc(answer)}</div>{confidence}')
        said.append(f"Answer, {result.confidence_label}: {answer}")
    found = " ".join(said)
    if not result.passages:
        st.info("No passage to show.")
        return found
    cited = engine.citations_for(result.passages)
    # The Markdown names filtered documents as the screen does, by title; the JSON by id.
    # Files are named after the question as asked, not as rewritten for the search.
    with st.container(horizontal=True):  # side by side (in three columns they sat apart)
        st.download_button("Download Markdown", to_markdown(result, cited, filters=shown),
                           file_name=download_name(result.question, "md"),
                           mime="text/markdown", icon=":material/download:")
        st.download_button("Download JSON", to_json(result, cited, filters=filters.as_dict()),
                           file_name=download_name(result.question, "json"),
                           mime="application/json", icon=":material/download:")
    if any("reader" in p.signals for p in result.passages):
        st.caption(RANKING_NOTE)
    if back_from in {p.key for p in result.passages}:
        bring_into_view(f'.rag-card[data-key="{back_from}"]', f"back:{back_from}")
    for passage in result.passages:
        with st.container(border=True):
            quoted = [(span.start - passage.start, span.end - passage.start)
                      for span in result.answer_spans if span.key == passage.key]
            st.html(passage_html(passage, result.searched, result.abstained, quoted))
            # numbered, so a screen reader's list of buttons tells them apart
            st.button(f"Open citation [{passage.rank}]", key=f"open-{passage.rank}-{passage.key}",
                      on_click=open_citation,
                      args=(passage.key, (result.question, state.get("q_raw"))),
                      icon=":material/format_quote:")
    return found


def show_citation(engine: Engine) -> str:
    """Lay out one citation; return what a screen reader should announce of it."""
    state = st.session_state
    if state.get("q"):
        st.button("← Back to the results", on_click=close_citation, key="back")
        back_by_history(back_is_history())
    try:
        citation = engine.cite(state.cite)
    except RagError as err:
        st.error(md_text(err))
        return str(err)
    st.html(f'<div class="rag-head rag-cited-title" role="heading" aria-level="2" '
            f'tabindex="-1">{link(citation.url, citation.title)}</div>'
            f'<div class="rag-meta">{where(citation.section, citation.page_label)}'
            f'{" · " if citation.section or citation.page_label else ""}characters '
            f'{citation.start}–{citation.end}</div>')
    if citation.from_metadata:
        st.info(FROM_METADATA)
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
    st.code(citation.key, language=None, wrap_lines=True)  # whole at 400 px wide too
    link_text = permalink({"cite": citation.key})
    st.code(link_text, language=None, wrap_lines=True)
    copy_buttons([("Copy the reference", citation.reference), ("Copy the BibTeX",
                  citation.bibtex), ("Copy the citation key", citation.key),
                  ("Copy the link", link_text)])
    if safe_url(citation.url):
        st.link_button("Open the source", safe_url(citation.url), icon=":material/open_in_new:")
    # A citation opened from far down the results had opened scrolled to its BibTeX, with
    # its title and the Back button above the screen, and the keyboard's focus lost.
    bring_into_view(".rag-cited-title", f"cite:{citation.key}")
    return f"Citation opened: {citation.title}, characters {citation.start} to {citation.end}."


LOOKUP_EMPTY = ("Type or paste a citation key, e.g. peace-regime-for-the-korean-peninsula:"
                "0123456789 (copy one from a search result).")


def show_welcome() -> None:
    st.write("Ask a question about the USIP report *A Peace Regime for the Korean Peninsula* "
             "and related USIP pieces. Every passage comes with a citation you can open, "
             "check in its source and copy.")
    st.caption("Examples:")
    for number, example in enumerate(EXAMPLES):
        st.button(example, key=f"example-{number}", on_click=ask, args=(example,))


def filters_shown(engine: Engine, filters: Filters) -> dict[str, object]:
    """The filters set, documents by title, as the sidebar lists them, not by id."""
    shown = filters.as_dict()
    if "documents" in shown:
        titles = {d: engine.documents[d].metadata.title if d in engine.documents else d
                  for d in filters.doc_ids}
        shown["documents"] = [f"\u201c{titles[d]}\u201d" if d in engine.documents else d
                              for d in sorted(titles, key=titles.__getitem__)]
    return shown


def filters_text(engine: Engine, filters: Filters) -> str:
    return "; ".join(f"{name} {', '.join(v) if isinstance(v, list) else v}"
                     for name, v in filters_shown(engine, filters).items())


def sidebar(engine: Engine | None) -> None:
    """Filters sit in a closed expander unless one is set: open, their boxes came before the
    question box, and a first-time user typed a question into the Documents filter.

    The expander keeps its own open state (a key) under one label: its label had said
    "Filters (on)", and Streamlit redraws an expander whose label or `expanded` changes, so
    "Clear filters" folded the panel under the user's pointer. Filters that come on from
    outside it (a link) open it, through its state; a caption under it says which are on."""
    state = st.session_state
    with st.sidebar:
        filters = current_filters()
        active = not filters.is_empty()
        if active and not state.get("filters_were_on"):
            state.filters_panel = True
        state.filters_were_on = active
        with st.expander("Filters", key="filters_panel", on_change="rerun",
                         icon=":material/filter_list:"):
            if engine is None:
                st.caption("Filters appear once an index is built.")
            else:
                filter_widgets(engine)
            st.slider("Passages to show", 1, MAX_K, key="k")
        if active and engine is not None:
            st.caption("Filters on: " + md_text(filters_text(engine, filters)))
        st.divider()
        st.header("Look up a citation")
        with st.form("lookup", border=False):
            st.text_input("Citation key", key="lookup_box",
                          placeholder="document-id:0123456789")
            st.form_submit_button("Look up", on_click=on_lookup, icon=":material/format_quote:")
        if st.session_state.get("lookup_empty"):  # beside the box (it had shown in the main
            st.error(LOOKUP_EMPTY)                 # column, far from it); told at the end too


def filter_widgets(engine: Engine) -> None:
    documents = engine.documents
    # Every option chosen ("Select all") is no filter: it had shown "Filters on" and left out
    # what a later rebuild adds.
    doc_options = sorted(documents, key=lambda d: documents[d].metadata.title)
    st.multiselect("Documents", options=doc_options,
                   format_func=lambda d: documents[d].metadata.title, key="f_docs",
                   placeholder="All documents", on_change=unless_all, args=("f_docs", doc_options))
    type_options = sorted({d.metadata.type for d in documents.values()})
    st.multiselect("Type", options=type_options, key="f_types", placeholder="All types",
                   on_change=unless_all, args=("f_types", type_options))
    days = [parse_day(d.metadata.date) for d in documents.values() if d.metadata.date]
    days = [d for d in days if d]
    low = min(days, default=date(1900, 1, 1))
    high = max(days, default=date.today())
    low, high = min(low, date(low.year, 1, 1)), max(high, date(high.year, 12, 31))
    # One above the other: side by side in the sidebar, each box showed "yyyy - m".
    st.date_input("From", key="f_from", min_value=date(1900, 1, 1),
                  max_value=date(2100, 12, 31), format="YYYY-MM-DD",
                  help=f"Documents dated from {low.year} to {high.year}.")
    st.date_input("To", key="f_to", min_value=date(1900, 1, 1),
                  max_value=date(2100, 12, 31), format="YYYY-MM-DD")
    # Streamlit's date box applies a typed date only when it loses focus; Enter opens the
    # calendar (a first-time user waited for a typed date to apply).
    st.caption("A typed date applies when you leave its box.")
    st.button("Clear filters", on_click=clear_filters)


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

    st.title(TITLE, anchor=False)  # no "link to heading" as the first stop of the Tab key
    stale = None
    if engine is None:
        st.error(f"The app cannot search yet: {md_text(problem)}")
    else:
        index_dir, corpus_dir, build = locations()
        stale = index_freshness(str(index_dir), str(corpus_dir), build)
        if stale.stale:
            st.warning(f"The index is out of date ({md_text(stale.describe())}): results come "
                       "from the index as it was built. Rebuild it in *Corpus and index* below.")
    ignored = state.pop("link_ignored", None)
    if ignored:
        st.warning("Some of the link's settings could not be applied and were ignored: "
                   + md_text("; ".join(ignored)) + ". What is shown below is without them.")
    flash = state.pop("flash", None)
    if flash:
        st.success(flash)
    sidebar(engine)

    # Not in a form: a form holds an edit back until it is submitted, so a filter changed
    # after typing a new question had rerun the old one under the new box (a first-time
    # user's finding). The box applies its text on Enter and when it loses focus.
    st.text_input("Your question", key="question_box", on_change=on_edit,
                  placeholder="e.g. " + EXAMPLES[0])
    hold_edit_while_away()
    calendar_buttons_off_the_tab_order()
    st.button("Search", type="primary", on_click=on_submit, icon=":material/search:")
    if state.pop("empty_submit", False):
        st.error("The question is empty: type a question in words, e.g. "
                 f"“{EXAMPLES[0]}”")

    status = ""
    if engine is not None:
        if state.get("cite"):
            status = show_citation(engine)
        elif state.get("q"):
            status = show_results(engine)
        else:
            show_welcome()
    corpus_panel(engine, problem, stale)
    sync_url()
    tell_screen_reader(LOOKUP_EMPTY if state.pop("lookup_empty", False) else status)
    if engine is not None:
        model_warmup()  # after the page is drawn: the model loads while the user types


try:
    main()
except RagError as err:
    st.error(md_text(err))
except Exception:
    log.exception("Unexpected error in the app")
    st.error("Something went wrong while preparing this page. Reload it; if this keeps "
             "happening, rebuild the index from *Corpus and index* or run `rag build`.")
