"""``gmp``: the command line. The entry point of every run it starts: it reads the settings
once, checks them, and hands them to the flows (``flows.context``) or the core it calls."""
