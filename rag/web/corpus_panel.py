"""The "Corpus and index" panel: what is indexed, what was skipped, rebuild, upload.

Every build and upload goes through `rag`; a refused upload leaves the corpus unchanged.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from rag.engine import Engine
from rag.errors import RagError
from rag.index.builder import build_index
from rag.index.fingerprint import Freshness
from rag.ingest.corpus_admin import add_document
from rag.ingest.scan import SUPPORTED_SUFFIXES
from rag.messages import build_summary
from rag.web.loading import index_freshness, locations, open_engine, wait_for_model
from rag.web.markdown import md_text


def do_rebuild(index_dir: Path, corpus_dir: Path) -> None:
    bar = st.progress(0.0, text="Reading the documents…")

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0, text=f"{stage}: {done} of {total}")

    wait_for_model()
    try:
        report = build_index(corpus_dir, index_dir, progress=progress)
    except RagError as err:
        bar.empty()
        st.error(md_text(err))
        return
    bar.progress(1.0, text="Done")
    open_engine.clear()
    index_freshness.clear()
    st.session_state.pop("result_memo", None)
    # A filter the old index could not apply may apply now: the address is written afresh.
    st.session_state.pop("address_means", None)
    skipped = "".join(f"\n- skipped {md_text(s.relpath)}: {md_text(s.reason)}"
                      for s in report.skipped)
    st.session_state.flash = (
        f"{build_summary(report)}." + skipped)
    st.rerun()


def do_uploads(corpus_dir: Path, files: list) -> None:
    """Check and copy each upload (refused ones leave the corpus as it was), then rerun with
    a fresh uploader so the report and the index's new state show together."""
    outcomes = [add_document(corpus_dir, upload.name, upload.getvalue()) for upload in files]
    st.session_state.upload_report = [(o.name, o.added, o.message) for o in outcomes]
    st.session_state.upload_round = st.session_state.get("upload_round", 0) + 1
    index_freshness.clear()
    st.rerun()


def upload_lines(report: list[tuple[str, bool, str]]) -> list[tuple[bool, str]]:
    """Each upload's line (Markdown), by whether it was added."""
    return [(added, f"{md_text(name)}: {md_text(message)}" if added
             else f"Refused {md_text(name)}: {md_text(message)}.")
            for name, added, message in report]


def show_upload_report() -> None:
    """Then one line on the corpus: "unchanged" only when nothing was added (beside an added
    file it had read as if that one had been refused too), and once, not after each refusal
    (first-time users' findings)."""
    report = st.session_state.pop("upload_report", None) or []
    for added, line in upload_lines(report):
        (st.success if added else st.error)(line)
    if any(added for _, added, _ in report):
        st.info("Rebuild the index (button above) to make the new documents searchable.")
    elif report:
        st.info("The corpus is unchanged.")


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
            st.write(f"Index built **{md_text(engine.manifest.built_label)}**: "
                     f"{len(engine.documents)} documents, {engine.manifest.chunks} passages.")
            st.dataframe(
                [{"Title": d.metadata.title, "Type": d.metadata.type,
                  "Date": d.metadata.date or "undated", "File": d.source, "Id": d.doc_id}
                 for d in engine.documents.values()],
                hide_index=True, width="stretch")
            for path, reason in engine.manifest.skipped.items():
                st.caption(f"Not indexed: {md_text(path)} ({md_text(reason)})")
        else:
            st.write(f"No usable index in {md_text(index_dir)}.")
        if stale is not None and stale.stale:
            st.write(f"Changed since the last build: {md_text(stale.describe())}.")
        if st.button("Rebuild the index" if engine else "Build the index",
                     type="primary" if needs_build else "secondary", key="rebuild",
                     icon=":material/refresh:"):
            do_rebuild(index_dir, corpus_dir)
        st.divider()
        kinds = ", ".join(sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES))
        round_ = st.session_state.get("upload_round", 0)
        # Any type is taken and checked like the rest: restricted here, a .docx had met
        # Streamlit's "application/vnd.openxmlformats-… files are not allowed" and was then
        # left out of the report without a word (a first-time user's finding).
        files = st.file_uploader(f"Add documents to the corpus ({kinds})",
                                 accept_multiple_files=True, key=f"upload-{round_}")
        if files and st.button("Add to the corpus", key="add-files", icon=":material/upload:"):
            do_uploads(corpus_dir, files)
        show_upload_report()

