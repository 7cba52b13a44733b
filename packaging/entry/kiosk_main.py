"""Entry script of the frozen kiosk app.

PyInstaller freezes a script, not a console_scripts entry point; this is the
same ``kiosk.cli:main`` that ``pip install`` wires up as ``kiosk``.

The Windows and macOS bundles are windowed programs: there ``sys.stdout`` and
``sys.stderr`` are None, and any library writing to them would crash the
screen.  They go to the null device instead; the log file keeps the record.
"""

import multiprocessing
import os
import sys

if sys.stdout is None:
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
if sys.stderr is None:
    sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process

from kiosk.cli import main  # after the streams exist

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
