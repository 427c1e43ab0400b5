"""The Textual evidence browser (``ldn-tui``, ``ldn-tui browse``).

Only the browse command imports this package; ``app`` imports only what the
first frame (the loading view) needs, the rest loads once the evidence has.
"""
