"""The course website in a real browser: `make site-test` (it runs `make site` first).

Playwright drives Chromium: Debian's `chromium`, or $CHROMIUM, or an installed Chrome, or else
Playwright's own browser. Every request that leaves the machine is blocked and fails the test:
the site must work offline. The built site (build/site/html) is served over HTTP on 127.0.0.1,
and each notebook page is checked: its title, its stored plots (images that loaded), its math
(rendered by the site's own MathJax, no raw TeX left), its Colab and download links, and that the
search box finds it. Screenshots of every page go to build/site/screenshots/ for a person to see.

This file is not under tests/: `make test` does not need a browser or the site's packages.
"""

import functools
import http.server
import json
import os
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[site]'")

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "build" / "site" / "html"
SHOTS = ROOT / "build" / "site" / "screenshots"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPO = "rnn-course/rnn-course"
COLAB = f"https://colab.research.google.com/github/{REPO}/blob/main/"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# MyST-NB's default preference among an output's MIME types in HTML (the first one is shown).
MIME_ORDER = [
    "application/vnd.jupyter.widget-view+json",
    "application/javascript",
    "text/html",
    "image/svg+xml",
    "image/png",
    "image/gif",
    "image/jpeg",
    "text/markdown",
    "text/latex",
    "text/plain",
]
# TeX left unrendered in the prose: a command such as \tanh or \mathbb, or $$ delimiters.
RAW_TEX = re.compile(r"\\[A-Za-z]{2,}|\$\$")


def _browser_path():
    """Debian's chromium (or another installed Chrome); None: Playwright's own browser."""
    if name := os.environ.get("CHROMIUM"):
        return shutil.which(name) or name
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


def _markdown_title(text):
    """A Markdown heading as the browser shows it: without `code` and *emphasis* marks."""
    return re.sub(r"[`*_]", "", text).strip()


class Notebook:
    """What a notebook page must show, read from the committed notebook."""

    def __init__(self, path):
        self.name = path.stem
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        markdown = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
        heading = next(line for text in markdown for line in text.splitlines() if line[:2] == "# ")
        self.title = _markdown_title(heading[2:])
        self.has_math = any("$" in text for text in markdown)
        # Outputs shown as an image: MyST-NB shows the first of its MIME types in MIME_ORDER.
        shown = [
            next((m for m in MIME_ORDER if m in out.get("data", {})), None)
            for c in cells
            for out in c.get("outputs", [])
        ]
        self.images = sum(1 for mime in shown if mime and mime.startswith("image/"))
        # A word of the title for the search box: its longest word of letters.
        self.word = max(re.findall(r"[A-Za-z]{4,}", self.title), key=len).lower()
        self.url = f"notebooks/{self.name}.html"
        self.colab = f"{COLAB}notebooks/{self.name}.ipynb"
        self.student_colab = f"{COLAB}student/{self.name}.ipynb"
        self.has_student = (ROOT / "student" / f"{self.name}.ipynb").is_file()


@pytest.fixture(scope="session")
def site():
    """The built site served on 127.0.0.1 (a free port); yields its base URL."""
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no site in {HTML}: run `make site` (or `make site-test`)")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_browser_path(),
            args=["--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


class Visit:
    """A browser tab on the site that records what went wrong while loading its pages."""

    def __init__(self, browser, site):
        self.site = site
        self.blocked, self.failed, self.errors = [], [], []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self._only_this_machine)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.failed.append(f"{r.url}: {r.status}")
        )

    def _only_this_machine(self, route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def open(self, path):
        self.page.goto(self.site + path, wait_until="load")
        # MathJax typesets after load; pages without math do not load it at all.
        self.page.evaluate(
            "() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null"
        )
        return self.page

    def search(self, word):
        """Type a word into the site's search box and wait for its results page."""
        page = self.page
        page.locator(".search-button-field").first.click()
        field = page.locator("form.bd-search input[name=q]").first
        field.fill(word)
        with page.expect_navigation(wait_until="load"):
            field.press("Enter")
        page.wait_for_selector("#search-results p.search-summary:not(:empty)")
        return page

    def assert_clean(self):
        blocked = [url for url in self.blocked if not url.startswith(("data:", "blob:"))]
        assert not blocked, f"the site asked another machine for: {blocked}"
        assert not self.failed, f"requests that failed: {self.failed}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


@pytest.fixture
def visit(browser, site):
    visit = Visit(browser, site)
    yield visit
    visit.context.close()


def test_every_notebook_is_tested():
    assert NOTEBOOKS, "notebooks/ holds no notebook"
    built = sorted(p.stem for p in (HTML / "notebooks").glob("*.html"))
    assert built == [p.stem for p in NOTEBOOKS], "the site's pages are not notebooks/ (make site)"


def test_landing_page(visit):
    page = visit.open("index.html")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    title = _markdown_title(readme.splitlines()[0].removeprefix("# "))
    assert page.locator("h1").first.inner_text().strip().rstrip("#").strip() == title
    assert page.locator("h2", has_text="Course map").count() == 1
    assert "make lab" in page.inner_text("article") and "make test" in page.inner_text("article")
    # The navigation sidebar lists every notebook, in teaching order.
    nav = page.locator("nav.bd-docs-nav a.reference.internal")
    hrefs = [href for href in nav.evaluate_all("els => els.map(e => e.getAttribute('href'))")]
    pages = [h.removesuffix(".html") for h in hrefs if h.startswith("notebooks/")]
    assert pages == [f"notebooks/{p.stem}" for p in NOTEBOOKS]
    # README's links to the student versions are downloads the site serves.
    for link in page.locator("article a[href^='student/']").all():
        response = page.request.get(visit.site + link.get_attribute("href"))
        assert response.ok and json.loads(response.body())["cells"]
    page.screenshot(path=SHOTS / "index.png", full_page=True)
    visit.assert_clean()


@pytest.mark.parametrize("notebook", [Notebook(p) for p in NOTEBOOKS], ids=lambda n: n.name)
def test_notebook_page(visit, notebook):
    start = time.perf_counter()
    page = visit.open(notebook.url)

    # Title: the notebook's own heading, in the tab and on the page.
    assert page.title().startswith(notebook.title), page.title()
    assert page.locator("article h1").first.inner_text().rstrip("#").strip() == notebook.title

    # Every stored plot is an image that loaded.
    images = page.locator(".cell_output img").evaluate_all(
        "els => els.map(e => ({src: e.getAttribute('src'), ok: e.complete && e.naturalWidth > 0}))"
    )
    assert len(images) == notebook.images, f"{len(images)} images shown, {notebook.images} stored"
    assert all(image["ok"] for image in images), f"images that did not load: {images}"

    # Math: rendered by MathJax, every math element of the page, and no raw TeX left in the prose.
    if notebook.has_math:
        assert page.locator("mjx-container").count() > 0, "no math rendered"
        unrendered = page.locator(".math:not(:has(mjx-container))").count()
        assert unrendered == 0, f"{unrendered} math elements MathJax did not render"
        assert page.locator("mjx-merror").count() == 0, "MathJax reports TeX errors"
    prose = page.locator("article").evaluate(
        """article => {
            const copy = article.cloneNode(true);
            const code = copy.querySelectorAll('pre, code, mjx-container, .cell_output');
            code.forEach(e => e.remove());
            return copy.textContent;
        }"""
    )
    assert "\\tanh(" not in page.inner_text("article")
    assert not RAW_TEX.findall(prose), f"raw TeX in the page: {RAW_TEX.findall(prose)[:5]}"

    # Colab: the header's launch button opens this notebook; the student version has its own.
    colab = page.locator("a[href^='https://colab.research.google.com/github/']").evaluate_all(
        "els => els.map(e => e.href)"
    )
    assert notebook.colab in colab, colab
    assert set(colab) <= {notebook.colab, notebook.student_colab}, colab
    # Downloads: the solved notebook (the page's source) and the student version.
    downloads = [f"_sources/notebooks/{notebook.name}.ipynb"]
    if notebook.has_student:
        assert notebook.student_colab in colab
        downloads.append(f"student/{notebook.name}.ipynb")
    for path in downloads:
        assert page.locator(f"a[href$='{path}']").count() > 0, f"no link to {path}"
        response = page.request.get(visit.site + path)
        assert response.ok and json.loads(response.body())["cells"], path
    # Off-machine requests are blocked, so the badge at the notebook's top must be served here.
    badges = page.locator("article img[alt='Open In Colab']")
    assert badges.evaluate_all("els => els.every(e => e.naturalWidth > 0)")

    page.screenshot(path=SHOTS / f"{notebook.name}-top.png")
    page.screenshot(path=SHOTS / f"{notebook.name}.png", full_page=True)
    visit.assert_clean()

    # Search: the search box finds this page from a word of its title.
    page = visit.search(notebook.word)
    results = page.locator(f"#search-results a[href^='{notebook.url}']")
    assert results.count() > 0, f"searching {notebook.word!r} does not find {notebook.url}"
    page.screenshot(path=SHOTS / f"{notebook.name}-search.png")
    visit.assert_clean()
    print(f"{notebook.name}: {time.perf_counter() - start:.1f} s")
