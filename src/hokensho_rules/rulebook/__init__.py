"""The :class:`~hokensho_rules.rulebook.book.Rulebook`: the one object every caller
holds. It loads the law, evaluates with it and returns rendered results; everything
above (membership files, testing, the prover, the CLI) goes through it.
"""
