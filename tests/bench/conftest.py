"""``bench`` is a folder of scripts, not an installed package: put the repository root on
sys.path so these tests can import its helpers (the scripts do the same for themselves)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
