"""``hokensho_rules.dask``: a Dask DataFrame of members evaluated on a cluster.

The public name of :mod:`hokensho_rules.membership.dask` (needs the ``dask`` extra).
"""

from .membership.dask import evaluate_dataframe

__all__ = ["evaluate_dataframe"]
