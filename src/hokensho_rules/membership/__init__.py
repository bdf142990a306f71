"""Whole memberships: the file columns (``columns``), readers and writers (``files``),
DataFrames (``frames``), result shapes (``shapes``), the batch over processes
(``batch``) and Dask (``dask``, the ``dask`` extra).
"""
