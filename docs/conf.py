"""Sphinx configuration: MyST pages, MyST-NB notebooks executed at every build, the
rule reference and the command line's help generated (``_ext/``), the API from docstrings.

Built with warnings as errors: ``sphinx-build -W --keep-going docs docs/_build/html``.
"""

from __future__ import annotations

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

exclude_patterns = ["_build", "_generated", "jupyter_execute", "**/.ipynb_checkpoints"]
source_suffix = {".md": "myst-nb"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Every notebook runs at every build, in its own folder: a notebook that fails fails the build.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600
nb_merge_streams = True

autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "show-inheritance": False}

html_theme = "furo"
html_title = "hokensho-rules"
