"""The page's few scripts: Streamlit has no element for a live region, for moving the
keyboard's focus, for the browser's Back or for a named copy button, so these are small scripts
in `st.html` (run only with `unsafe_allow_javascript`, never with a document's text in them
but as an escaped string literal)."""

from __future__ import annotations

import html
import json

import streamlit as st


def script_text(value: str) -> str:
    """A string as a JavaScript literal that cannot end the <script> it sits in."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def tell_screen_reader(status: str) -> None:
    """Put `status` in the page's one live region, made once outside Streamlit's elements so
    that it is never replaced (Streamlit redraws its own each run, and a live region
    inserted already filled may go unread), and changed only when the text changes."""
    st.html('<script data-rag="status"> (() => {'
            " let line = document.getElementById('rag-status');"
            " if (!line) { line = document.createElement('div'); line.id = 'rag-status';"
            " line.className = 'rag-sr'; line.setAttribute('role', 'status');"
            " line.setAttribute('aria-live', 'polite'); document.body.appendChild(line); }"
            f" const said = {script_text(status)};"
            " if (line.textContent !== said) line.textContent = said; })();</script>",
            unsafe_allow_javascript=True)


def bring_into_view(selector: str, occasion: str) -> None:
    """Scroll the element `selector` finds to the top of the screen and give the keyboard's
    focus to it (or to its card's first button), once per `occasion`: a later run of the same
    screen (an empty Look up, a warning above) had moved the page and the focus again."""
    st.html(f"<script data-rag=\"view\"> setTimeout(() => {{"
            f" if (window.ragShown === {script_text(occasion)}) return;"
            f" window.ragShown = {script_text(occasion)};"
            f" const found = document.querySelector({script_text(selector)});"
            " if (!found) return; found.scrollIntoView({block: 'start'});"
            " const card = found.closest('[data-testid=stVerticalBlock]');"
            " const target = found.matches('[tabindex]') ? found"
            " : (card && card.querySelector('button')) || found;"
            " target.focus({preventScroll: true}); }, 50);</script>",
            unsafe_allow_javascript=True)


def back_by_history(enabled: bool) -> None:
    """While the browser's previous entry is the results (`back_is_history`), a click on "Back
    to the results" (mouse or keyboard) is the browser's Back: caught before Streamlit sees
    it, so no run adds an entry; the Back run then shows the passage as the browser's Back
    does (rag.web.session.boot_from_url). Otherwise the button closes the citation as usual.
    One listener per page, reading the flag each run sets."""
    st.html(f"<script data-rag=\"back\"> window.ragBackByHistory = {json.dumps(enabled)};"
            " if (!window.ragBackListener) { window.ragBackListener = true;"
            " document.addEventListener('click', (event) => {"
            " if (!window.ragBackByHistory || !event.target.closest('.st-key-back button'))"
            " return; event.stopPropagation(); event.preventDefault();"
            " window.ragBackByHistory = false; history.back(); }, true); }</script>",
            unsafe_allow_javascript=True)


def copy_buttons(texts: list[tuple[str, str]]) -> None:
    """One named button per (name, text): "Copy the BibTeX" and so on. Streamlit's own copy
    icons show only while the pointer or the focus is on their block, so the keyboard
    reached them by chance, and a screen reader heard each as "Copy to clipboard". What
    happened is said in the status line and on the button (its name kept apart, so a second
    click soon after does not keep "Copied"); a copy that fails says so."""
    st.html('<div class="rag-copy" role="group" aria-label="Copy">' + "".join(
        f'<button type="button" class="rag-copy-button" data-copy="{html.escape(text)}" '
        f'data-label="{html.escape(name)}">{html.escape(name)}</button>'
        for name, text in texts) + "</div>")
    st.html("<script data-rag=\"copy\"> if (!window.ragCopyListener) {"
            " window.ragCopyListener = true;"
            " const fallback = (text) => { const area = document.createElement('textarea');"
            " area.value = text; area.setAttribute('readonly', '');"
            " area.style.cssText = 'position:fixed;top:0;left:0;opacity:0';"
            " document.body.appendChild(area); area.select();"
            " const done = document.execCommand('copy'); area.remove(); return done; };"
            " document.addEventListener('click', async (event) => {"
            " const button = event.target.closest('.rag-copy-button'); if (!button) return;"
            " const text = button.dataset.copy, name = button.dataset.label;"
            " let done = true; try { await navigator.clipboard.writeText(text); }"
            " catch (error) { done = fallback(text); button.focus(); }"
            " const said = done ? name.replace(/^Copy/, 'Copied')"
            " : 'Could not copy: select the text above and copy it';"
            " const line = document.getElementById('rag-status');"
            " if (line) line.textContent = said + '.'; button.textContent = said;"
            " clearTimeout(button.ragTimer);"
            " button.ragTimer = setTimeout(() => { button.textContent = name; }, 2000); });"
            " }</script>", unsafe_allow_javascript=True)


def hold_edit_while_away() -> None:
    """The question box applies an edit when it loses focus (app.py says why); but it lost
    focus also when the user switched to another window or tab mid-question, and the half
    typed question was searched, with a history entry (a QA pass's finding). A focus lost
    with the page itself (`document.hasFocus()` false) is kept from Streamlit, so the edit
    waits for Enter, Search or a click elsewhere on the page."""
    st.html("<script data-rag=\"hold\"> if (!window.ragHoldListener) {"
            " window.ragHoldListener = true;"
            " document.addEventListener('focusout', (event) => {"
            " if (!document.hasFocus() && event.target.closest('.st-key-question_box'))"
            " event.stopPropagation(); }, true); }</script>", unsafe_allow_javascript=True)


def calendar_buttons_off_the_tab_order() -> None:
    """A date typed into a date box and left with Tab stopped first on the box's own calendar
    button, still inside the box, so it applied only at a second Tab (a QA pass's finding).
    The button leaves the Tab order (a click opens it, and Alt+Down from the box, as the box
    announces), so one Tab leaves the box and applies the date."""
    st.html("<script data-rag=\"dates\"> if (!window.ragDateObserver) {"
            " const skip = () => document.querySelectorAll("
            "'[data-testid=stDateInputCalendarButton]:not([tabindex=\"-1\"])')"
            ".forEach((button) => { button.tabIndex = -1; });"
            " window.ragDateObserver = new MutationObserver(skip);"
            " window.ragDateObserver.observe(document.body, {childList: true, subtree: true});"
            " skip(); }</script>", unsafe_allow_javascript=True)
