"""Results as plain data, built from evaluation's traces: a Decision's verdicts
(``decisions``), the action list (``actions``), timelines (``timeline``), mailing plans
(``mailing``) and comparisons of two rulebooks (``whatif``). ``render`` shows them.
"""
