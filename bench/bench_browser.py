"""What a user of the browser app waits for, and why concurrent sessions wait.

Builds the shipped corpus into a temporary index, starts the real app (`streamlit run app.py`)
on a free port in its own process group, drives Debian's chromium with Playwright, and prints
medians over `--repeats` fresh server starts of:

1. page load -> app ready;
2. first question after page load -> results, on a freshly started server (model load included);
3. a warm question in the same page -> results;
4. `--sessions` pages (one browser context each) opened at once, each asking its own question
   as soon as it is ready: on a fresh server (cold) and on one that already answered (warm).

Why: an earlier run on a busy machine saw 20 sessions all finish together after ~44 s, and a
wall-clock total cannot say which wait that was. So the server runs under a small launcher (this
file, `--serve-traced`) that logs, as JSON lines, when the app imports torch, sentence-transformers
or onnxruntime, loads the model, opens the engine (cache_resource), waits for the model thread,
waits for the encode lock (torch versions), searches, and when Streamlit gets a rerun and starts
and stops each script run; a probe thread logs how late a 10 ms sleep wakes up and the process's
CPU. Pages stamp, in their own clock, when they are ready, when Enter goes down and when their
results appear, so one Playwright thread visiting pages in turn does not blur the finish times.
Each session's wait is then split into those parts, and CPU use is split between the server,
chromium, the burners and the rest of the machine.

    python bench/bench_browser.py --repeats 1
    python bench/bench_browser.py --repeats 1 --busy              # both cores kept busy
    python bench/bench_browser.py --ask together                  # as test_browser.py asks
    python bench/bench_browser.py --git-rev e81b8c8 --busy        # the torch app, before ONNX
    python bench/bench_browser.py --pin                           # server and browser apart
    python bench/bench_browser.py --plain                         # no launcher, no trace
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.abc
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "eval" / "devset.jsonl"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STREAMLIT_FLAGS = ["--server.address", "127.0.0.1", "--server.headless", "true",
                   "--browser.gatherUsageStats", "false"]
# app.EXAMPLES[0]: the welcome screen's first example button, drawn after the question box and
# after the engine is open, which is what tests/web/test_browser.py waits for as "ready".
READY_BUTTON = ("Which countries besides the two Koreas and the US must take part in a "
                "peace regime?")
SERVE_FLAG = "--serve-traced"
TRACE_ENV = "BENCH_BROWSER_TRACE"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# ------------------------------------------------------------------ server side (launcher)
# Runs inside the Streamlit process. Only the standard library is imported up front, and the
# project's modules are patched when the app itself first imports them (an import hook), so
# the launcher moves no import earlier than the app would do it.

_trace_lock = threading.Lock()
_trace_file: Any = None
_run_cpu = threading.local()
WATCHED_IMPORTS = ("torch", "transformers", "sentence_transformers", "onnxruntime", "tokenizers",
                   "faiss", "bm25s", "rag.engine", "rag.web.loading")


def emit(event: str, **fields: Any) -> None:
    """One JSON line per event, flushed at once: the bench reads the file while it grows."""
    record = {"t": time.time(), "ev": event, "th": threading.current_thread().name, **fields}
    line = json.dumps(record, default=str)
    with _trace_lock:
        _trace_file.write(line + "\n")
        _trace_file.flush()


def script_session() -> str | None:
    """The Streamlit session a script thread runs for (None off a script thread)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
    except Exception:
        return None
    return ctx.session_id if ctx else None


def timed(event: str, func: Callable[..., Any],
          describe: Callable[[tuple[Any, ...]], dict[str, Any]] | None = None
          ) -> Callable[..., Any]:
    """Wrap `func` so each call logs its start, wall seconds and this thread's CPU seconds."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began, cpu = time.time(), time.thread_time()
        try:
            return func(*args, **kwargs)
        finally:
            emit(event, start=began, secs=time.time() - began, cpu=time.thread_time() - cpu,
                 sid=script_session(), **(describe(args) if describe else {}))

    return wrapper


class TimedLock:
    """Stands in for `FEW_THREADS_LOCK`: logs how long each encode waited to get it."""

    def __init__(self, lock: Any) -> None:
        self.lock = lock

    def __enter__(self) -> bool:
        began = time.time()
        self.lock.acquire()
        emit("encode_lock", start=began, secs=time.time() - began, sid=script_session())
        return True

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def patch_embedding(module: ModuleType) -> None:
    """Whichever embedder this checkout has: the torch `Embedder` (encode lock around
    `encode_few`) or the ONNX `OnnxEmbedder` (exported once, no lock)."""
    for name in ("shared_embedder", "exported_model"):
        if callable(getattr(module, name, None)):
            setattr(module, name, timed(name, getattr(module, name)))
    for name in ("Embedder", "OnnxEmbedder"):
        cls = getattr(module, name, None)
        if not isinstance(cls, type) or getattr(cls, "_is_protocol", False):
            continue
        if "__init__" in vars(cls):
            cls.__init__ = timed("model_load", cls.__init__)
        for method in ("encode_few", "encode_query"):
            if method in vars(cls):
                setattr(cls, method, timed(method, vars(cls)[method]))
    if hasattr(module, "FEW_THREADS_LOCK"):
        module.FEW_THREADS_LOCK = TimedLock(module.FEW_THREADS_LOCK)


def patch_engine(module: ModuleType) -> None:
    engine = module.Engine
    engine.open = classmethod(timed("engine_open", engine.open.__func__))
    engine.search = timed("search", engine.search, lambda args: {"question": args[1]})


def patch_loading(module: ModuleType) -> None:
    module.load_engine = timed("load_engine", module.load_engine)
    module.wait_for_model = timed("wait_for_model", module.wait_for_model)


def patch_app_session(module: ModuleType) -> None:
    session = module.AppSession
    request_rerun = session.request_rerun
    on_event = session._on_scriptrunner_event
    on_loop = session._handle_scriptrunner_event_on_event_loop

    def logged_request_rerun(self: Any, client_state: Any = None) -> None:
        emit("rerun_request", sid=self.id)
        request_rerun(self, client_state)

    def logged_on_event(self: Any, sender: Any, *args: Any, **kwargs: Any) -> None:
        event = kwargs.get("event", args[0] if args else None)
        name = getattr(event, "name", str(event))
        if name == "SCRIPT_STARTED":
            _run_cpu.began = time.thread_time()
            emit("run_start", sid=self.id)
        elif name.startswith("SCRIPT_STOPPED"):
            cpu = time.thread_time() - getattr(_run_cpu, "began", time.thread_time())
            emit("run_end", sid=self.id, how=name, cpu=cpu)
        on_event(self, sender, *args, **kwargs)

    def logged_on_loop(self: Any, sender: Any, event: Any, *args: Any, **kwargs: Any) -> None:
        name = getattr(event, "name", str(event))
        if name.startswith("SCRIPT_STOPPED"):
            emit("loop_saw_end", sid=self.id, how=name)
        on_loop(self, sender, event, *args, **kwargs)

    session.request_rerun = logged_request_rerun
    session._on_scriptrunner_event = logged_on_event
    session._handle_scriptrunner_event_on_event_loop = logged_on_loop


PATCHES: dict[str, Callable[[ModuleType], None]] = {
    "rag.index.embedding": patch_embedding,
    "rag.engine": patch_engine,
    "rag.web.loading": patch_loading,
    "streamlit.runtime.app_session": patch_app_session,
}


class ImportWatch(importlib.abc.MetaPathFinder):
    """Times the watched imports (in whichever thread does them) and patches the project's
    modules right after they run, before the importer binds their names."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name not in PATCHES and name not in WATCHED_IMPORTS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            began = time.time()
            run(module)
            emit("import", module=name, start=began, secs=time.time() - began)
            if name in PATCHES:
                PATCHES[name](module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def probe_lateness(period: float = 0.01, window: float = 0.5) -> None:
    """How late a 10 ms sleep wakes up: a thread that only needs the GIL for microseconds
    waits this long for it (and for a core), so it shows contention inside the server."""
    late: list[float] = []
    window_began = time.monotonic()
    while True:
        began = time.monotonic()
        time.sleep(period)
        late.append(time.monotonic() - began - period)
        if time.monotonic() - window_began >= window:
            emit("probe", max=max(late), mean=sum(late) / len(late), n=len(late),
                 cpu=time.process_time())
            late.clear()
            window_began = time.monotonic()


def serve_traced(app: str, streamlit_args: list[str]) -> None:
    """The launcher: install the hooks, then run Streamlit's own command line in-process."""
    global _trace_file
    _trace_file = open(os.environ[TRACE_ENV], "a", encoding="utf-8")  # noqa: SIM115
    emit("launcher_start")
    sys.meta_path.insert(0, ImportWatch())
    threading.Thread(target=probe_lateness, name="bench-probe", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", app, *streamlit_args]
    cli.main(prog_name="streamlit")


# ------------------------------------------------------------------ bench side: processes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kill_group(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Stop a process started with its own session, and everything it started."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(grace)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    trace: Path
    started: float  # time.time() when the process was spawned
    healthy: float = 0.0

    def events(self) -> list[dict[str, Any]]:
        if not self.trace.exists():
            return []
        return [json.loads(line) for line in self.trace.read_text().splitlines() if line]


def wait_healthy(server: Server, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{server.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    server.healthy = time.time()
                    return
        except OSError:
            time.sleep(0.1)  # nothing to wait on but the server's port
    raise RuntimeError(f"streamlit did not start:\n{server.log.read_text()[-3000:]}")


@contextlib.contextmanager
def running_server(work: Path, name: str, env: dict[str, str], source: Path, plain: bool,
                   watcher: str, pin: set[int] | None = None) -> Iterator[Server]:
    """A fresh server process; its whole process group is killed on the way out."""
    port = free_port()
    log, trace = work / f"{name}.log", work / f"{name}.trace.jsonl"
    flags = [*STREAMLIT_FLAGS, "--server.port", str(port), "--server.fileWatcherType", watcher]
    app = str(source / "app.py")
    command = ([sys.executable, "-m", "streamlit", "run", app, *flags] if plain
               else [sys.executable, str(Path(__file__).resolve()), SERVE_FLAG, app, *flags])
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=source, env={**env, TRACE_ENV: str(trace)},
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        if pin:  # only its main thread exists yet, so every thread it starts inherits this
            os.sched_setaffinity(process.pid, pin)
        server = Server(f"http://127.0.0.1:{port}", process, log, trace, time.time())
        wait_healthy(server, time.monotonic() + 180)
        yield server
    finally:
        kill_group(process)
        text = log.read_text(errors="replace")
        if "Traceback" in text:  # reported, not raised: the timings may still be worth reading
            print(f"WARNING: the server {name} logged a traceback:\n{text[-3000:]}", flush=True)


@contextlib.contextmanager
def burners(count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` processes that spin forever: a machine whose cores are busy elsewhere."""
    spinning: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(count):
            spinning.append(subprocess.Popen([sys.executable, "-c", "while True: pass"],
                                             start_new_session=True))
        yield spinning
    finally:
        for process in spinning:
            kill_group(process, grace=5)


def build_index(work: Path, env: dict[str, str], source: Path) -> None:
    """`rag build` of a copy of the shipped corpus, so the app's upload panel and the build
    touch nothing in the checkout."""
    shutil.copytree(source / "corpus", work / "corpus")
    rag = Path(sys.executable).with_name("rag")
    command = [str(rag)] if rag.exists() else [sys.executable, "-m", "rag"]
    began = time.perf_counter()
    done = subprocess.run([*command, "build"], cwd=source, env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"rag build failed:\n{done.stdout}\n{done.stderr}")
    print(f"index: {done.stdout.strip()} (rag build took {time.perf_counter() - began:.1f} s)",
          flush=True)


# ------------------------------------------------------------------ CPU accounting


def _stat(pid: int) -> tuple[int, float, str] | None:
    """(parent pid, CPU seconds, command name) of a live process, from /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    name = text[text.index("(") + 1:text.rindex(")")]
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS, name


def cpu_snapshot(server_pid: int, burner_pids: Sequence[int]) -> dict[str, float]:
    """CPU seconds used so far by the server, the burners, chromium, Playwright's driver (a
    node process, which polls the pages), and the whole machine."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            parents[int(entry.name)], cpu[int(entry.name)], names[int(entry.name)] = stat

    def descends(pid: int, root: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = parents.get(pid, 0)
        return False

    mine = os.getpid()
    total = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    busy = sum(int(v) for i, v in enumerate(total) if i not in (3, 4)) / CLOCK_TICKS
    snapshot = {"server": 0.0, "burners": 0.0, "browser": 0.0, "driver": 0.0, "machine": busy}
    for pid, seconds in cpu.items():
        if descends(pid, server_pid):
            snapshot["server"] += seconds
        elif any(descends(pid, b) for b in burner_pids):
            snapshot["burners"] += seconds
        elif pid != mine and descends(pid, mine):
            snapshot["driver" if names[pid].startswith("node") else "browser"] += seconds
    return snapshot


# ------------------------------------------------------------------ browser side

# Marks, in the page's own clock (Date.now(), the same wall clock as time.time()), the moment
# the app is ready, the moment Enter is pressed, and the first moment results for each question
# are on screen: exact times for every page even though one Python thread polls them in turn.
MARKS_SCRIPT = """
(() => {
  const marks = {ready: null, asked: null, results: {}, model_spinner: null};
  window.__bench = marks;
  const readyText = READY_TEXT;
  const check = () => {
    const now = Date.now();
    if (marks.ready === null && document.querySelector('input[aria-label="Your question"]')
        && [...document.querySelectorAll('button')].some(b => b.textContent.includes(readyText)))
      marks.ready = now;
    const head = document.querySelector('.rag-question');
    if (head && document.querySelector('.rag-card') && !(head.textContent in marks.results))
      marks.results[head.textContent] = now;
    if (marks.model_spinner === null && document.body
        && document.body.textContent.includes('Loading the language model'))
      marks.model_spinner = now;
  };
  new MutationObserver(check).observe(document,
    {childList: true, subtree: true, characterData: true});
  document.addEventListener('keydown', e => {
    if (e.key === 'Enter') marks.asked = Date.now();
  }, true);
})();
""".replace("READY_TEXT", json.dumps(READY_BUTTON))


def marks(page: Any) -> dict[str, Any]:
    return page.evaluate("window.__bench")


def results_time(page: Any, question: str) -> float | None:
    found = [t for text, t in marks(page)["results"].items() if question in text]
    return min(found) / 1000 if found else None


def ask(page: Any, question: str) -> float:
    """Type the question and press Enter, as the browser test does; the time Enter went down."""
    box = page.get_by_label("Your question")
    box.fill(question)
    pressed = time.time()
    box.press("Enter")
    asked = marks(page)["asked"]
    return asked / 1000 if asked else pressed


def wait_results(page: Any, question: str, timeout_ms: float) -> float:
    page.wait_for_function(
        """q => Object.keys(window.__bench.results).some(t => t.includes(q))""",
        arg=question, timeout=timeout_ms, polling=200)
    return results_time(page, question) or time.time()


def new_page(browser: Any, timeout_ms: float) -> Any:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.add_init_script(MARKS_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    return page


@dataclass
class Single:
    ready: float
    cold: float
    warm: float


def single_page(browser: Any, server: Server, cold_q: str, warm_q: str,
                timeout_ms: float) -> Single:
    """Measures 1-3 in one page on a fresh server, the way tests/web/test_browser.py does."""
    from playwright.sync_api import expect

    page = new_page(browser, timeout_ms)
    try:
        began = time.time()
        page.goto(server.url)
        expect(page.get_by_label("Your question")).to_be_visible(timeout=timeout_ms)
        expect(page.get_by_role("button", name=READY_BUTTON)).to_be_visible(timeout=timeout_ms)
        ready = (marks(page)["ready"] or time.time() * 1000) / 1000 - began
        asked = ask(page, cold_q)
        cold = wait_results(page, cold_q, timeout_ms) - asked
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout_ms)
        asked = ask(page, warm_q)
        warm = wait_results(page, warm_q, timeout_ms) - asked
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout_ms)
    finally:
        page.context.close()
    return Single(ready, cold, warm)


@dataclass
class Session:
    question: str
    opened: float
    ready: float = 0.0
    asked: float = 0.0
    done: float = 0.0
    model_spinner: float | None = None
    first_run_end: float | None = None  # the server finished this page's first script run
    seen: float = 0.0  # when the driver's loop, checking the pages in turn, saw the results
    server_span: float | None = None  # rerun request -> end of the run that searched
    parts: dict[str, float] = field(default_factory=dict)


@dataclass
class SessionsRun:
    label: str
    sessions: list[Session]
    cpu: dict[str, dict[str, float]]  # "whole" run and "asking" (first ask -> last result)
    wall: float
    events: list[dict[str, Any]]
    server_started: float
    first_ask: float
    asking: float  # seconds from the first ask to the last result


def many_sessions(browsers: list[Any], server: Server, questions: list[str], timeout_ms: float,
                  burner_pids: Sequence[int], label: str, together: bool) -> SessionsRun:
    """Open every page at once; each asks its own question the moment it is ready, or, with
    `together`, all ask once every page is ready and idle (as test_browser.py's 20 sessions do).
    """
    from playwright.sync_api import expect

    pages = [new_page(browsers[i % len(browsers)], timeout_ms) for i in range(len(questions))]
    cpu_marks: dict[str, dict[str, float]] = {}
    try:
        cpu_marks["open"] = cpu_snapshot(server.process.pid, burner_pids)
        began = time.time()
        sessions = []
        for page, question in zip(pages, questions, strict=True):
            sessions.append(Session(question, time.time()))
            page.goto(server.url, wait_until="commit")
        waiting = set(range(len(pages)))
        deadline = time.monotonic() + timeout_ms / 1000
        while waiting and time.monotonic() < deadline:
            for i in sorted(waiting):
                ready = marks(pages[i])["ready"]
                if ready:
                    sessions[i].ready = ready / 1000
                    waiting.discard(i)
                    if not together:
                        cpu_marks.setdefault("ask", cpu_snapshot(server.process.pid,
                                                                 burner_pids))
                        sessions[i].asked = ask(pages[i], sessions[i].question)
            time.sleep(0.02)  # between sweeps over the pages; each sweep already takes a while
        if waiting:
            raise RuntimeError(f"{len(waiting)} pages never became ready")
        if together:
            for page in pages:
                expect(page.get_by_test_id("stStatusWidget")).to_have_count(0,
                                                                            timeout=timeout_ms)
            cpu_marks["ask"] = cpu_snapshot(server.process.pid, burner_pids)
            for page, session in zip(pages, sessions, strict=True):
                session.asked = ask(page, session.question)
        for page, session in zip(pages, sessions, strict=True):
            session.done = wait_results(page, session.question, timeout_ms)
            session.seen = time.time()
            session.model_spinner = (marks(page)["model_spinner"] or 0) / 1000 or None
        wall = time.time() - began
        cpu_marks["end"] = cpu_snapshot(server.process.pid, burner_pids)
    finally:
        for page in pages:
            with contextlib.suppress(Exception):
                page.context.close()
    time.sleep(0.5)  # let the last trace lines of the runs' ends reach the file
    first_ask = min(s.asked for s in sessions)
    cpu = {"whole": {k: cpu_marks["end"][k] - cpu_marks["open"][k] for k in cpu_marks["end"]},
           "asking": {k: cpu_marks["end"][k] - cpu_marks["ask"][k] for k in cpu_marks["end"]}}
    run = SessionsRun(label, sessions, cpu, wall, server.events(), server.started, first_ask,
                      max(s.done for s in sessions) - first_ask)
    split_waits(run)
    return run


# ------------------------------------------------------------------ trace analysis

PARTS = {
    "to_server": "Enter -> server gets the rerun",
    "to_script": "rerun request -> script run starts",
    "load_engine": "load_engine() (cache_resource)",
    "script_other": "rest of the script before the search",
    "model_wait": "wait_for_model() (model thread)",
    "lock_wait": "encode lock wait",
    "search": "Engine.search minus lock wait",
    "to_screen": "search done -> results on screen",
}


def split_waits(run: SessionsRun) -> None:
    """Split each session's wait (Enter -> results on screen) into the parts in PARTS, from
    the server's trace. The search names the session (its question); the rest follows."""
    events = run.events
    by_sid: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if event.get("sid"):
            by_sid.setdefault(event["sid"], []).append(event)
    for session in run.sessions:
        search = next((e for e in events if e["ev"] == "search"
                       and e.get("question") == session.question), None)
        if search is None:
            continue
        mine = by_sid[search["sid"]]
        ends = [e["t"] for e in mine if e["ev"] == "run_end"]
        session.first_run_end = min(ends) if ends else None
        s_start, s_end = search["start"], search["t"]

        def last(name: str, before: float, mine: list[dict[str, Any]] = mine) -> Any:
            found = [e for e in mine if e["ev"] == name and e["t"] <= before]
            return found[-1] if found else None

        rerun = next((e for e in mine if e["ev"] == "rerun_request"
                      and e["t"] >= session.asked - 0.05), None)
        run_start = last("run_start", s_start)
        model = last("wait_for_model", s_start)
        loading = [e for e in mine if e["ev"] == "load_engine" and run_start
                   and run_start["t"] <= e["start"] <= s_start]
        locks = [e for e in mine if e["ev"] == "encode_lock" and s_start <= e["t"] <= s_end]
        lock_wait = sum(e["secs"] for e in locks)
        parts = session.parts
        if rerun and run_start:
            parts["to_server"] = rerun["t"] - session.asked
            parts["to_script"] = run_start["t"] - rerun["t"]
            parts["load_engine"] = sum(e["secs"] for e in loading)
            model_wait = model["secs"] if model and model["t"] >= run_start["t"] else 0.0
            parts["model_wait"] = model_wait
            parts["script_other"] = (s_start - run_start["t"] - parts["load_engine"]
                                     - model_wait)
        parts["lock_wait"] = lock_wait
        end = next((e for e in mine if e["ev"] == "run_end" and e["t"] >= s_end), None)
        if rerun and end:
            session.server_span = end["t"] - rerun["t"]
        parts["search"] = s_end - s_start - lock_wait
        parts["to_screen"] = session.done - s_end


def process_share(events: list[dict[str, Any]], start: float, end: float) -> str:
    """CPU the whole server process got over [start, end], from the probe's samples: near 1
    core means the threads queue for the GIL, far below means they queue for a CPU core."""
    samples = [e for e in events if e["ev"] == "probe" and "cpu" in e]
    before = [e for e in samples if e["t"] <= start]
    after = [e for e in samples if e["t"] >= end]
    if not before or not after or after[0]["t"] - before[-1]["t"] <= 0:
        return ""
    share = (after[0]["cpu"] - before[-1]["cpu"]) / (after[0]["t"] - before[-1]["t"])
    return f"; meanwhile the server process ran on {share:.2f} cores"


def describe_server(run: SessionsRun) -> list[str]:
    """The server-wide events around the sessions: model load, engine open, contention."""
    events, zero = run.events, min(s.asked for s in run.sessions)
    end = max(s.done for s in run.sessions)
    lines = []
    for event in sorted(events, key=lambda e: e.get("start", e["t"])):
        rel = f"{event.get('start', event['t']) - zero:+7.2f} s"
        if event["ev"] == "import" and event["module"] in WATCHED_IMPORTS:
            lines.append(f"  {rel}  import {event['module']}: {event['secs']:.2f} s "
                         f"in thread {event['th']}")
        elif event["ev"] in ("model_load", "engine_open"):
            lines.append(f"  {rel}  {event['ev']}: {event['secs']:.2f} s wall, "
                         f"{event['cpu']:.2f} s CPU, thread {event['th']}"
                         f"{process_share(events, event['start'], event['t'])}")
    searches = [e["start"] for e in events if e["ev"] == "search"]
    if searches:
        lines.append(f"  {min(searches) - zero:+7.2f} s  first Engine.search starts")
    else:
        lines.append("  (no server trace: the server ran without the launcher)")
    probes = [e for e in events if e["ev"] == "probe" and zero - 1 <= e["t"] <= end]
    if probes:
        lines.append(f"  probe (a 10 ms sleep in the server, first ask -> last result): "
                     f"wakes late by mean {statistics.mean(p['mean'] for p in probes) * 1000:.1f}"
                     f" ms, worst {max(p['max'] for p in probes) * 1000:.0f} ms")
    runs = [e for e in events if e["ev"] == "run_end" and zero <= e["t"] <= end + 1]
    if runs:
        lines.append(f"  script runs ended in that window: {len(runs)}, CPU per run median "
                     f"{statistics.median(e['cpu'] for e in runs):.2f} s, total "
                     f"{sum(e['cpu'] for e in runs):.1f} s")
    locks = [e["secs"] for e in events if e["ev"] == "encode_lock" and zero <= e["t"] <= end]
    encodes = [e for e in events if e["ev"] == "encode_few" and zero <= e["t"] <= end]
    if encodes:
        lines.append(f"  encode_few calls: {len(encodes)}, wall median "
                     f"{statistics.median(e['secs'] for e in encodes) * 1000:.0f} ms (lock wait "
                     f"median {statistics.median(locks) * 1000:.0f} ms, max "
                     f"{max(locks) * 1000:.0f} ms)")
    cores = os.cpu_count() or 2
    for window, seconds in (("whole run", run.wall), ("first ask -> last result", run.asking)):
        cpu = run.cpu["whole" if window == "whole run" else "asking"]
        others = (cpu["machine"] - cpu["server"] - cpu["browser"] - cpu["driver"]
                  - cpu["burners"])
        lines.append(f"  CPU s used, {window} ({seconds:.1f} s x {cores} cores = "
                     f"{cores * seconds:.0f}): server {cpu['server']:.1f}, chromium "
                     f"{cpu['browser']:.1f}, Playwright's driver {cpu['driver']:.1f}, burners "
                     f"{cpu['burners']:.1f}, everything else on the machine {others:.1f}")
    return lines


def print_sessions(run: SessionsRun) -> tuple[float, float]:
    """The per-session table, the spread and the longest wait; returns those two."""
    zero = run.first_ask
    opened = min(s.opened for s in run.sessions)
    print(f"\n{run.label}: {len(run.sessions)} sessions (times relative to the first ask; pages "
          f"opened from {opened - zero:+.2f} s; load average now {os.getloadavg()[0]:.1f})")
    print("   #  page->ready (server's 1st run done)  asked at  results at   wait  "
          "(server  driver saw)  question")
    for n, s in enumerate(run.sessions, 1):
        first = f"({s.first_run_end - s.opened:5.2f})" if s.first_run_end else " " * 7
        span = f"{s.server_span:6.2f}" if s.server_span is not None else "     -"
        print(f"  {n:2d}  {s.ready - s.opened:9.2f} {first:>26s}  {s.asked - zero:8.2f}  "
              f"{s.done - zero:10.2f}  {s.done - s.asked:6.2f}  ({span}  {s.seen - zero:9.2f})"
              f"  {s.question[:40]}")
    finishes = [s.done for s in run.sessions]
    spread = max(finishes) - min(finishes)
    longest = max(s.done - s.asked for s in run.sessions)
    print(f"  spread of finishes (max - min): {spread:.2f} s; max(finish - start): "
          f"{longest:.2f} s; spread of asks: "
          f"{max(s.asked for s in run.sessions) - zero:.2f} s")
    spans = [s.server_span for s in run.sessions if s.server_span is not None]
    if spans:
        print(f"  server side alone (rerun request -> end of the run that searched): median "
              f"{statistics.median(spans):.2f} s, max {max(spans):.2f} s")
    parted = [s for s in run.sessions if "to_server" in s.parts]
    if parted:
        print(f"  where each session's wait went ({len(parted)} sessions traced), s:"
              "  median / max / share of the summed waits")
        total = sum(s.done - s.asked for s in parted)
        for key, text in PARTS.items():
            values = [s.parts[key] for s in parted]
            print(f"    {text:40s} {statistics.median(values):7.2f} {max(values):7.2f} "
                  f"{sum(values) / total:6.0%}")
    print("  server timeline:")
    for line in describe_server(run):
        print(line)
    return spread, longest


# ------------------------------------------------------------------ main


def checkout(rev: str, into: Path) -> Path:
    """An earlier version of the app (`git archive`: reads the repository, changes nothing),
    to measure the code an earlier figure came from."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    described = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %s", rev],
                               capture_output=True, text=True, check=True).stdout.strip()
    print(f"source: git {described[:100]}", flush=True)
    return into


def devset_questions() -> list[str]:
    rows = [json.loads(line) for line in DEVSET.read_text().splitlines() if line.strip()]
    seen: dict[str, None] = {}
    for row in rows:
        if not row.get("unanswerable"):
            seen.setdefault(row["question"], None)
    return list(seen)


def median_line(name: str, values: list[float]) -> str:
    shown = ", ".join(f"{v:.2f}" for v in values)
    return f"{name:52s} median {statistics.median(values):6.2f}   [{shown}]"


def run(args: argparse.Namespace) -> None:
    from playwright.sync_api import sync_playwright

    questions = devset_questions()
    if len(questions) < args.sessions + 2:
        raise SystemExit(f"the devset has {len(questions)} answerable questions; "
                         f"--sessions can be at most {len(questions) - 2}")
    cold_q, warm_q, many = questions[0], questions[1], questions[2:2 + args.sessions]
    timeout_ms = args.timeout * 1000
    together = args.ask == "together"
    asking = ("all ask together once every page is ready" if together
              else "each asks as soon as its page is ready")
    singles: list[Single] = []
    spreads: dict[str, list[float]] = {"cold": [], "warm": []}
    longest: dict[str, list[float]] = {"cold": [], "warm": []}
    with contextlib.ExitStack() as stack:
        if args.keep:
            work = args.keep.resolve()
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-browser-")))
        for old in ("corpus", "index", "source"):
            shutil.rmtree(work / old, ignore_errors=True)
        source = checkout(args.git_rev, work / "source") if args.git_rev else ROOT
        if source == ROOT:
            print(f"source: the working tree at {ROOT}", flush=True)
        env = {**os.environ, "RAG_CORPUS_DIR": str(work / "corpus"),
               "RAG_INDEX_DIR": str(work / "index"), "RAG_CACHE_DIR": str(work / "cache"),
               "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        if source != ROOT:  # ahead of the editable install's finder, which comes last
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source),
                                                              env.get("PYTHONPATH")]))
        build_index(work, env, source)
        spinning = stack.enter_context(burners((os.cpu_count() or 2) if args.busy else 0))
        burner_pids = [p.pid for p in spinning]
        cores = sorted(os.sched_getaffinity(0))
        if args.pin and len(cores) > 1:  # before Playwright starts: chromium inherits this
            for pid in burner_pids:
                os.sched_setaffinity(pid, cores)
            os.sched_setaffinity(0, cores[1:])
        server_cores = {cores[0]} if args.pin and len(cores) > 1 else None
        playwright = stack.enter_context(sync_playwright())
        browsers = []
        for _ in range(args.browsers):
            browsers.append(playwright.chromium.launch(executable_path=CHROMIUM,
                                                       args=CHROMIUM_ARGS))
            stack.callback(browsers[-1].close)
        busy = f"yes, {len(spinning)} spinning processes" if spinning else "no"
        print(f"{args.repeats} fresh server start(s) per case, {args.sessions} sessions, "
              f"{args.browsers} browser(s), busy={busy}, "
              f"launcher={'no (plain streamlit)' if args.plain else 'yes (traced)'}, "
              f"file watcher={args.watcher}, {os.cpu_count()} cores, "
              f"{'server on core 0, browser on the rest, ' if server_cores else ''}load average "
              f"{os.getloadavg()[0]:.2f}", flush=True)
        for repeat in range(1, args.repeats + 1):
            if not args.no_single or not args.no_warm:
                with running_server(work, f"warm-{repeat}", env, source, args.plain,
                                    args.watcher, server_cores) as server:
                    if not args.no_single:
                        singles.append(single_page(browsers[0], server, cold_q, warm_q,
                                                   timeout_ms))
                        s = singles[-1]
                        print(f"\nrepeat {repeat}: page load -> ready {s.ready:.2f} s, first "
                              f"question (cold) {s.cold:.2f} s, warm question {s.warm:.2f} s",
                              flush=True)
                    else:  # the warm case needs a server that already answered a question
                        page = new_page(browsers[0], timeout_ms)
                        page.goto(server.url)
                        page.get_by_label("Your question").wait_for()
                        ask(page, cold_q)
                        wait_results(page, cold_q, timeout_ms)
                        page.context.close()
                    if not args.no_warm:
                        result = many_sessions(browsers, server, many, timeout_ms, burner_pids,
                                               f"repeat {repeat}, WARM server (it already "
                                               f"answered a question), {asking}", together)
                        spread, worst = print_sessions(result)
                        spreads["warm"].append(spread)
                        longest["warm"].append(worst)
            with running_server(work, f"cold-{repeat}", env, source, args.plain,
                                args.watcher, server_cores) as server:
                result = many_sessions(browsers, server, many, timeout_ms, burner_pids,
                                       f"repeat {repeat}, COLD server (freshly started, "
                                       f"healthy {server.healthy - server.started:.1f} s after "
                                       f"spawn), {asking}", together)
                spread, worst = print_sessions(result)
                spreads["cold"].append(spread)
                longest["cold"].append(worst)
            sys.stdout.flush()
        print(f"\nsummary over {args.repeats} fresh server start(s)"
              f"{' with both cores kept busy' if spinning else ''}:")
        if singles:
            print(median_line("page load -> app ready (s)", [s.ready for s in singles]))
            print(median_line("first question -> results, fresh server (s)",
                              [s.cold for s in singles]))
            print(median_line("warm question -> results, same page (s)",
                              [s.warm for s in singles]))
        for case in ("cold", "warm"):
            if spreads[case]:
                print(median_line(f"{args.sessions} sessions, {case} server: spread of finishes"
                                  " (s)", spreads[case]))
                print(median_line(f"{args.sessions} sessions, {case} server: max(finish - "
                                  "start) (s)", longest[case]))
        if args.keep:
            print(f"server logs and traces kept in {work}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == SERVE_FLAG:
        serve_traced(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh server starts per case")
    parser.add_argument("--sessions", type=int, default=20, help="pages asking at once")
    parser.add_argument("--busy", action="store_true",
                        help="keep every core busy with spinning processes during the run")
    parser.add_argument("--browsers", type=int, default=1,
                        help="spread the sessions over this many chromium processes")
    parser.add_argument("--no-single", action="store_true", help="skip measures 1-3")
    parser.add_argument("--no-warm", action="store_true", help="skip the warm-server sessions")
    parser.add_argument("--plain", action="store_true",
                        help="run `python -m streamlit` without the tracing launcher")
    parser.add_argument("--watcher", default="none", choices=["none", "auto", "poll"],
                        help="--server.fileWatcherType (the browser test uses none)")
    parser.add_argument("--ask", choices=["ready", "together"], default="ready",
                        help="sessions ask as soon as each page is ready, or all at once when "
                        "every page is ready and idle (what tests/web/test_browser.py does)")
    parser.add_argument("--pin", action="store_true",
                        help="server on the first core, Playwright and chromium on the others,"
                        " to tell the server's own waits from the browser's CPU")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per wait")
    parser.add_argument("--git-rev", help="run the app and build of this git revision "
                        "(extracted with git archive) instead of the working tree")
    parser.add_argument("--keep", type=Path, help="keep server logs and traces in this folder")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium)")
    # A SIGTERM (or Ctrl-C) unwinds through the ExitStack, so servers and browsers still die.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    run(args)


if __name__ == "__main__":
    main()
