"""The law: rule-file schema (``schema``, ``terms``), loading (``loader``), static checks
(``checks``), conditions and date expressions (``conditions``, ``expressions``), the
civil and working-day calendar (``calendar``) and the chosen packs merged into one
:class:`~hokensho_rules.law.packs.Law` (``packs``). Imports only ``facts``.
"""
