"""Rendering: every result as text and HTML, in Japanese (default) or English.

Above the results it renders: each public result class here is the result of
``hokensho_rules.results.decisions``, ``.timeline``, ``.actions``, ``.mailing`` or ``.whatif``
with its ``explain``/``render`` and ``_repr_html_`` added, so that results never need
to know how they are shown. Words come from ``rules/`` (``words``); HTML is one table
helper with one style (``html``).
"""

from .actions import ActionList
from .verdicts import Decision  # the Decision whose verdicts and presentations show themselves
from .mailing import MailingPlan
from .timeline import Timeline
from .timelines import Timelines
from .impact import Impact
from .whatif import Comparison

__all__ = ["ActionList", "Comparison", "Decision", "Impact", "MailingPlan", "Timeline", "Timelines"]
