"""Sphinx configuration: MyST pages, MyST-NB notebooks executed at every build, the
rule reference and the command line's help generated (``_ext/``), the API from docstrings.

Built with warnings as errors: ``sphinx-build -W --keep-going docs docs/_build/html``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "hokensho-rules"
author = "the hokensho-rules project"
copyright = "the hokensho-rules project"  # noqa: A001 (Sphinx's name)

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "rulebook_pages",
    "cli_help",
]

# The notebooks' .ipynb twins (docs/notebooks/jupytext.toml) are for JupyterLab: the
# build reads the Markdown.
exclude_patterns = ["_build", "_generated", "jupyter_execute", "**/.ipynb_checkpoints", "notebooks/*.ipynb"]
source_suffix = {".md": "myst-nb"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Every notebook runs at every build, in its own folder: a notebook that fails fails the
# build. HOKENSHO_DOCS_EXECUTE=off builds them without running them (.ci/run does, since
# its test suites have executed each one already: tests/test_notebooks.py).
nb_execution_mode = os.environ.get("HOKENSHO_DOCS_EXECUTE", "force")
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600
nb_merge_streams = True

autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "show-inheritance": False}

html_theme = "furo"
html_title = "hokensho-rules"
