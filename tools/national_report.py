#!/usr/bin/env python3
"""National roll-up of the ministries' latest compliance reports (docs/reporting.md).

    python tools/national_report.py [--reports reports] [--stale-days 7]

writes reports/national/national.json and national.html.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "module_utils"))

from eoffice_guard.report.national import main

if __name__ == "__main__":
    sys.exit(main())
