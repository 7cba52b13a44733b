"""Entry script of the frozen kiosk app.

PyInstaller freezes a script, not a console_scripts entry point; this is the
same ``kiosk.cli:main`` that ``pip install`` wires up as ``kiosk``.
"""

import multiprocessing
import sys

from kiosk.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
