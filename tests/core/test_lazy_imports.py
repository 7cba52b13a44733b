"""aiohttp and python-socketio (~250 ms of imports) load when the connection starts, not before."""

from __future__ import annotations

import json
import subprocess
import sys


def test_importing_the_session_does_not_load_the_socket_libraries() -> None:
    # A child process: this test process has imported them long ago.
    script = (
        "import json, sys\n"
        "import kiosk.core.session\n"
        "print(json.dumps(sorted(m for m in ('aiohttp', 'socketio', 'engineio') if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
