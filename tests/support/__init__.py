"""Helpers the test modules share: constants, servers they start, and commands they run.

``tests/unit`` imports only what starts nothing (constants, scripted answers for
``httpx.MockTransport``); the server starters are for ``tests/integration``.
"""
