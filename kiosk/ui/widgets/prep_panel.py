"""Today's prep times on a kitchen or stall screen: average and p90 to ready, refreshed each minute.

One line in the header area, so a cook sees at a glance whether the kitchen
is keeping up ("Today: avg 7:30 · p90 12:10 · 42 orders").  The figures come
from the server's report (kiosk/core/prep_times.py), fetched on the event
loop, never on the GUI thread, when the screen's once-a-second ``tick`` finds
a minute gone by (the injected clock's monotonic time); a server without the
report hides the panel and is not asked again.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from kiosk.core.clock import Clock
from kiosk.core.formatting import format_elapsed
from kiosk.core.prep_times import REFRESH_S, NoReportError, PrepTimes, fetch_prep_times
from kiosk.core.rest import RestTransport
from kiosk.ui.async_bridge import fire
from kiosk.ui.i18n import fill
from kiosk.ui.widgets.plain_label import PlainLabel


class PrepPanel(PlainLabel):
    def __init__(
        self, rest: RestTransport, clock: Clock, tenant_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent=parent)
        self.setObjectName("prepPanel")
        self.setProperty("role", "muted")
        self._rest = rest
        self._clock = clock
        self._tenant_id = tenant_id
        self.figures: PrepTimes | None = None
        self.enabled = True  # False once the server said it has no report
        self._asked_at: float | None = None
        self._asking = False
        self.hide()  # until there is something to say

    def tick(self) -> None:
        """From the screen's tick: ask now if a minute has gone by since the last answer (or never)."""
        now = self._clock.monotonic()
        if (
            not self.enabled
            or self._asking
            or (self._asked_at is not None and now - self._asked_at < REFRESH_S)
        ):
            return
        self._asked_at = now
        self.refresh()

    def refresh(self) -> None:
        self._asking = True
        fire(self._fetch(), "fetch today's prep times")

    async def _fetch(self) -> None:
        try:
            found = await fetch_prep_times(self._rest, self._clock.now(), self._tenant_id)
        except NoReportError:
            self.enabled = False
            self.hide()
            return
        finally:
            self._asking = False
        if found is not None:
            self.show_figures(found)

    def show_figures(self, figures: PrepTimes) -> None:
        self.figures = figures
        self.retranslate()
        self.show()

    def retranslate(self) -> None:
        figures = self.figures
        if figures is None:
            return
        if figures.count == 0 or figures.avg_s is None or figures.p90_s is None:
            self.setText(self.tr("Today: no order ready yet"))
            return
        template = self.tr("Today: avg %1 · p90 %2 · %n order(s) to ready", "", figures.count)
        self.setText(fill(template, format_elapsed(figures.avg_s), format_elapsed(figures.p90_s)))
