"""The cache store (``store``), the folder snapshot its entries are keyed by (``snapshot``) and
the keys of whole outputs (``outputs``). It knows nothing of the loader."""
