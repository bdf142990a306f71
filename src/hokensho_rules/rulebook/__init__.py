"""Rule files: their schema, loading, static checks, and the Rulebook that evaluates them."""
