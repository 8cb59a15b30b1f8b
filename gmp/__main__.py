"""``python -m gmp``."""

from __future__ import annotations

import sys

from gmp.main import main

sys.exit(main())
