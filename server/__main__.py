"""``python -m server``: the same as the ``kiosk-server`` command."""

from server.cli import main

raise SystemExit(main())
