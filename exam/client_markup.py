"""What a client of our pages reads off them: the CSRF token every page carries in its head
(``templates/base.html``) and the JSON state an exam page embeds (``exam-state``).

Kept beside the templates that write them so the tests (``tests/webclient.py``) and the load
harness (``benchmarks/harness``) read the pages the same way without either importing the other.
"""

from __future__ import annotations

import re

CSRF_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
EXAM_STATE = re.compile(r'<script type="application/json" id="exam-state">(.*?)</script>', re.S)
