"""Entry script of the frozen server: the same ``server.cli:main`` as ``kiosk-server``."""

import multiprocessing
import sys

from server.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
