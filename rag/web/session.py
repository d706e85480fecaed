"""A session's state and its permalink: the address bar sets the screen on a first visit and on
the browser's Back and Forward, and always shows what is on screen (`?q=`, `k`, `doc`, `type`,
`from`, `to`, `?cite=`)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode, urlsplit

import streamlit as st

from rag.cite.lookup import validate_key
from rag.engine import DEFAULT_K, Engine, SearchResult
from rag.errors import RagError
from rag.retrieval.filters import Filters, date_bounds
from rag.retrieval.question import clean_question
from rag.web.loading import wait_for_model

MAX_K = 20


def first_param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_day(value: str | None, last: bool = False) -> date | None:
    """The first (or `last`) day a date of any precision covers ("2020-02" -> 1 February), for
    the date pickers; None for a date the filters could not read either."""
    if not value:
        return None
    try:
        return date.fromisoformat(date_bounds(value)[1 if last else 0])
    except ValueError:
        return None


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


def history_navigation() -> bool:
    """Whether the browser's Back or Forward started this run (Streamlit's run context says
    so, an internal API; False where it cannot be read)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:
        return False
    context = get_script_run_ctx(suppress_warning=True)
    return bool(getattr(context, "is_history_navigation", False))


def boot_from_url(engine: Engine | None) -> None:
    """On a session's first run, and when the browser's Back or Forward moves to another of
    its addresses, the address bar sets what is on screen (Back had only flicked the address
    back, and the next run wrote what was on screen over it again)."""
    state = st.session_state
    navigated = history_navigation()
    if state.get("booted") and not navigated:
        return
    state.booted = True
    state.pop("pushed", None)  # after Back or Forward, which entry is before is not known
    was_open = state.get("cite")
    state.question_box = first_param("q") or ""
    state.q = as_engine_reads(state.question_box)
    state.q_raw = state.question_box
    state.cite = first_param("cite")
    if navigated and was_open and not state.cite:  # the browser's Back, as the app's Back
        state.back_from = was_open
    # What the link asks for that cannot be applied: said, not silently dropped. "?q=+++" had
    # shown the first page with no word of why (a first-time user's finding).
    ignored = [f"{name} \u201c\u201d (empty)" for name in ("q", "cite")
               if name in st.query_params and not first_param(name)]
    if navigated and not state.q:  # an address without a question says nothing of the filters
        state.link_ignored = ignored
        return
    asked_k = first_param("k")  # quoted as the link spells it ("k=00", not "0")
    try:
        state.k = int(asked_k or DEFAULT_K)
    except ValueError:
        state.k = DEFAULT_K
        ignored.append(f"k \u201c{asked_k}\u201d (not a number)")
    if not 1 <= state.k <= MAX_K:  # the slider's range; "k=0" had quietly shown one passage
        ignored.append(f"k \u201c{asked_k}\u201d (not from 1 to {MAX_K})")
        state.k = DEFAULT_K
    documents = engine.documents if engine else {}
    types = {d.metadata.type for d in documents.values()}
    state.f_docs, state.f_types = [], []
    for name, known, kept in (("doc", documents, state.f_docs), ("type", types, state.f_types)):
        for value in st.query_params.get_all(name):
            if value in known:
                kept.append(value)
            else:  # without an index it had been dropped without a word
                ignored.append(f"{name} \u201c{value}\u201d (" + (
                    f"no such {name} in the index)" if engine is not None
                    else "no index yet to check it against)"))
        if known and set(known) <= set(kept):  # every one is no filter, as in the sidebar
            kept.clear()
    for name in ("from", "to"):  # "to=2020" runs to the end of 2020
        day = parse_day(first_param(name), last=name == "to")
        if first_param(name) and day is None:
            ignored.append(f"{name} \u201c{first_param(name)}\u201d (not a date such as "
                           "2020-02-01)")
        state[f"f_{name}"] = day
    if state.f_from and state.f_to and state.f_from > state.f_to:
        ignored.append(f"the dates: from {state.f_from} is after to {state.f_to}")
        state.f_from = state.f_to = None
    state.link_ignored = ignored
    # What the address just read means, in the form `sync_url` would write: while the screen
    # stays this, the address is left as opened (see sync_url). Not without an index, whose
    # documents and types the address's filters could not yet be checked against.
    if engine is not None:
        state.address_means = wanted_params()


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
    """Make the address bar show exactly what is on screen (and nothing stale).

    An address opened from outside that shows this screen in another spelling (`k=abc`
    ignored, `k=5` the default, `to=2025`) is left as it is until the screen changes:
    Streamlit adds a history entry for every change of address outside Back and Forward, so
    rewriting it had made the first Back press return to the same screen."""
    state = st.session_state
    wanted = wanted_params()
    if state.get("address_means") == wanted:
        return
    state.pop("address_means", None)
    have = {key: (st.query_params.get_all(key) if isinstance(wanted.get(key), list)
                  else st.query_params.get(key)) for key in st.query_params}
    if have != wanted:
        state.pushed = (address_params(), wanted)  # the entry before the new one, and it
        st.query_params.from_dict(wanted)


def address_params() -> dict[str, str | list[str]]:
    """The address bar's settings in `wanted_params`'s form (filters as lists)."""
    return {key: (st.query_params.get_all(key) if key in ("doc", "type")
                  else st.query_params.get(key, "")) for key in st.query_params}


def back_is_history() -> bool:
    """Whether the browser's previous history entry is the results this citation was opened
    from: then "Back to the results" is the browser's Back (see app.py), and does not add an
    entry after the citation's, which the browser's Back had then reopened."""
    pushed = st.session_state.get("pushed")
    shown = wanted_params()
    return bool(pushed and shown.get("cite") and pushed[1] == shown
                and pushed[0] == {k: v for k, v in shown.items() if k != "cite"})


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


def on_edit() -> None:
    """The box changed (Enter, or focus moved away: to a filter, an example). A box emptied
    this way clears the results without scolding: only Search on an empty box says it is
    empty."""
    if (st.session_state.get("question_box") or "").strip():
        on_submit()
    else:
        st.session_state.q = st.session_state.q_raw = None


def open_citation(key: str, asked: tuple[str | None, str | None] = (None, None)) -> None:
    """Open a citation; a passage's button passes the question it was found for (as read, as
    typed). A box edited before the click applies first, as focus leaves it, and had left
    "Back to the results" leading to the edited question's results, not this passage's."""
    state = st.session_state
    state.cite = key.strip() or None
    if asked[0] and state.get("q") != asked[0]:
        state.q, state.q_raw = asked
        state.question_box = asked[1] or asked[0]


def close_citation() -> None:
    st.session_state.back_from = st.session_state.cite  # shown again where it was
    st.session_state.cite = None


def on_lookup() -> None:
    """Open the key in the box, read out of a pasted link or sentence (the address then shows
    the key alone); an empty box leaves the screen as it was and says what to paste."""
    pasted = st.session_state.get("lookup_box", "").strip()
    st.session_state.lookup_empty = not pasted
    if pasted:
        try:
            st.session_state.cite = validate_key(pasted)
        except RagError:  # opened as typed, so that the refusal quotes it
            st.session_state.cite = pasted


def clear_filters() -> None:
    st.session_state.f_docs = []
    st.session_state.f_types = []
    st.session_state.f_from = None
    st.session_state.f_to = None


def unless_all(key: str, options: list[str]) -> None:
    """A filter with every option chosen is cleared: it admits all, so it is no filter."""
    if set(options) <= set(st.session_state.get(key) or ()):
        st.session_state[key] = []


def permalink(params: dict[str, str | list[str]]) -> str:
    try:
        parts = urlsplit(st.context.url or "")
        base = f"{parts.scheme}://{parts.netloc}{parts.path or '/'}" if parts.netloc else ""
    except Exception:  # a test runner without a browser URL
        base = ""
    return f"{base}?{urlencode(params, doseq=True)}"

