"""One module per command (or command group) of ``k2connect``."""
