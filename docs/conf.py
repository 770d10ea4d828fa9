"""Sphinx configuration of the course website: `make site` builds it, `make site-test` checks it.

The site is built from the committed notebooks as they are: their stored (full-mode) outputs are
rendered and nothing is executed. `make site` stages the sources in build/site/src (this folder's
index.md, README.md, notebooks/, student/) and runs `sphinx-build -W -c docs` on them, so every
notebook in notebooks/ becomes a page in teaching order (index.md's toctree globs
notebooks/*) and a warning, such as a broken link, fails the build.
"""

import posixpath
import shutil
import tomllib
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "build" / "site"
# MathJax 3, fetched from the npm registry by `make site` and served by the site itself, so
# that math renders without network (Sphinx's default MathJax comes from a CDN).
MATHJAX = SITE / "static" / "mathjax" / "tex-mml-chtml.js"
if not MATHJAX.is_file():
    raise RuntimeError(f"{MATHJAX} is missing: build the site with `make site`, which fetches it")

_project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REPOSITORY = _project["urls"]["Homepage"]  # https://github.com/<org>/<repo>
COLAB = "https://colab.research.google.com/github/{repo}/blob/main/{path}"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"

project = "rnn-course"
author = "the rnn-course authors"
copyright = "the rnn-course authors, MIT license"
html_title = "rnn-course"
html_baseurl = _project["urls"]["Documentation"]

extensions = ["myst_nb", "sphinx.ext.githubpages"]  # githubpages: .nojekyll for Pages
root_doc = "index"
# README.md is included by index.md; student/ versions are downloads, not pages.
exclude_patterns = ["README.md", "student/**", "**/.ipynb_checkpoints"]

# The notebooks' stored outputs, never a new run.
nb_execution_mode = "off"
nb_output_stderr = "remove"
nb_merge_streams = True

# Markdown as Jupyter reads it: $...$ and $$...$$ math (also inside a paragraph), and
# GitHub-style heading anchors so that README links such as #course-map resolve.
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_dmath_double_inline = True
myst_heading_anchors = 3

mathjax_path = "mathjax/tex-mml-chtml.js"  # relative to _static
mathjax3_config = {"tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]}}

html_theme = "sphinx_book_theme"
html_static_path = ["_static", str(MATHJAX.parents[1])]
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": REPOSITORY,
    "repository_branch": "main",
    "path_to_docs": "",  # the staged sources mirror the repository: notebooks/<name>.ipynb
    "use_repository_button": True,
    "use_issues_button": True,
    "use_download_button": True,
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "home_page_in_toc": True,
    "show_toc_level": 2,
}


def _notebook_name(pagename):
    folder, _, name = pagename.rpartition("/")
    return name if folder == "notebooks" else None


def add_notebook_links(app, pagename, templatename, context, doctree):
    """A notebook page's extra header links: its student version (Colab, download), its source.

    Also serves the Colab badge that the notebooks show at their top from the site itself, so
    that no page asks anything of another server.
    """
    if "body" in context:
        badge = context["pathto"]("_static/colab-badge.svg", 1)
        context["body"] = context["body"].replace(COLAB_BADGE, badge)
    name = _notebook_name(pagename)
    if name is None or "header_buttons" not in context:
        return
    repo = REPOSITORY.removeprefix("https://github.com/")
    buttons = context["header_buttons"]
    for group in buttons:
        labels = [b.get("label") for b in group.get("buttons", [])]
        if "source-repository-button" in labels:
            group["buttons"].insert(
                1,
                {
                    "type": "link",
                    "url": f"{REPOSITORY}/blob/main/notebooks/{name}.ipynb",
                    "text": "Notebook source",
                    "tooltip": "This notebook in the repository",
                    "icon": "fas fa-code",
                    "label": "notebook-source-button",
                },
            )
    student = Path(app.srcdir) / "student" / f"{name}.ipynb"
    if student.is_file():
        buttons.insert(
            0,
            {
                "type": "group",
                "tooltip": "Student version (exercises without solutions)",
                "icon": "fas fa-user-graduate",
                "label": "student-buttons",
                "buttons": [
                    {
                        "type": "link",
                        "url": COLAB.format(repo=repo, path=f"student/{name}.ipynb"),
                        "text": "Student version in Colab",
                        "tooltip": "Open the student version in Colab",
                        "icon": "_static/images/logo_colab.png",
                        "label": "student-colab-button",
                    },
                    {
                        "type": "link",
                        "url": context["pathto"](f"student/{name}.ipynb", 1),
                        "text": "Student version .ipynb",
                        "tooltip": "Download the student version",
                        "icon": "fas fa-download",
                        "label": "student-download-button",
                    },
                ],
            },
        )


def link_student_versions(app, doctree):
    """Links to student/<name>.ipynb (README's course map) point at the file the site serves.

    MyST would take them for pages, and student versions are downloads: the pages are the solved
    notebooks. A link to a student version that does not exist stays a broken link (a warning).
    """
    here = posixpath.dirname(app.env.docname)
    for node in list(doctree.findall(addnodes.pending_xref)):
        target = node.get("reftarget", "")
        if node.get("refdomain") == "doc" and target.startswith("student/"):
            uri = posixpath.relpath(f"{target}.ipynb", here or ".")
            children = [child.deepcopy() for child in node.children]
            node.replace_self(nodes.reference("", "", *children, refuri=uri, classes=["download"]))


def copy_student_versions(app, exception):
    """Serve the student versions at student/<name>.ipynb beside the pages."""
    if exception is None and app.builder.format == "html":
        shutil.copytree(Path(app.srcdir) / "student", Path(app.outdir) / "student")


def setup(app):
    # After sphinx-book-theme's own header buttons (priority 501).
    app.connect("html-page-context", add_notebook_links, priority=502)
    app.connect("doctree-read", link_student_versions)
    app.connect("build-finished", copy_student_versions)
