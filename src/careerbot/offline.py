"""Process environment for offline, telemetry-free operation.

Called by the entry points right before the imports that read these
variables; never at import time of careerbot itself.
"""

from __future__ import annotations

import os

OFFLINE_ENV: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply_offline_env() -> None:
    """Offline model loading and no Chroma/Gradio/HF telemetry, unless the process already chose."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
