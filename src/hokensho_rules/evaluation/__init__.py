"""Evaluation: the law compiled for the engine, run stratum by stratum, resolved.

Above the law (``hokensho_rules.law``) and below the results built from what it
produces: a :class:`~hokensho_rules.evaluation.trace.Trace` of plain data per member
and date.
"""
