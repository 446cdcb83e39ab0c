"""Run the careerbot chat app on http://127.0.0.1:7860 (settings from CAREERBOT_* variables)."""

from __future__ import annotations

import logging
import sys

from careerbot.errors import CareerbotError
from careerbot.settings import get_settings
from careerbot.web.server import run

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        run(get_settings())
    except CareerbotError as exc:  # a clear sentence, never a traceback
        sys.exit(f"error: {exc}")
