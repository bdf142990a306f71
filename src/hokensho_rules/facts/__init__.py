"""Facts: a member and their documents (``member``), the flat record the engine reads
(``record``), the guards that keep a My Number out of every output (``privacy``) and the
library's errors (``errors``). The bottom layer: it imports nothing else of the library.
"""
