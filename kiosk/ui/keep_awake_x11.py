"""Keep an X11 screen awake without a desktop: the MIT-SCREEN-SAVER extension's Suspend.

A kitchen PC often runs a bare X session (a window manager and the kiosk,
no desktop), where no ``org.freedesktop.ScreenSaver`` service answers on
D-Bus.  The X server itself still blanks the screen and powers it down
(screensaver and DPMS timers).  ``XScreenSaverSuspend(display, True)`` stops
both for as long as our connection lives: if the kiosk crashes, the X server
drops the suspension with the connection, so a dead kiosk never keeps a
screen lit forever.  libX11 and libXss are loaded with ctypes only when
needed; where either is missing this method is simply not available.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger("kiosk.ui")


def _library(name: str, soname: str) -> ctypes.CDLL | None:
    for candidate in (soname, ctypes.util.find_library(name)):
        if candidate:
            try:
                return ctypes.CDLL(candidate)
            except OSError:
                continue
    return None


class X11ScreenSaverSuspend:
    """One X connection of our own that holds the screensaver and DPMS suspended."""

    method = "XScreenSaverSuspend on the X server (screensaver and DPMS)"

    def __init__(self, display_name: str | None = None) -> None:
        self._display_name = display_name if display_name is not None else os.environ.get("DISPLAY", "")
        self._xlib: ctypes.CDLL | None = None
        self._xss: ctypes.CDLL | None = None
        self._display: int | None = None

    def acquire(self) -> bool:
        if self._display is not None:
            return True
        if not self._display_name:
            return False
        xlib = _library("X11", "libX11.so.6")
        xss = _library("Xss", "libXss.so.1")
        if xlib is None or xss is None:
            log.debug("no libX11/libXss: the X screensaver cannot be suspended")
            return False
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        xlib.XFlush.argtypes = [ctypes.c_void_p]
        xss.XScreenSaverQueryExtension.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        ]
        xss.XScreenSaverSuspend.argtypes = [ctypes.c_void_p, ctypes.c_int]
        display = xlib.XOpenDisplay(self._display_name.encode())
        if not display:
            return False
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not xss.XScreenSaverQueryExtension(display, ctypes.byref(event_base), ctypes.byref(error_base)):
            xlib.XCloseDisplay(display)
            return False
        xss.XScreenSaverSuspend(display, 1)
        xlib.XFlush(display)
        self._xlib, self._xss, self._display = xlib, xss, display
        return True

    def release(self) -> None:
        if self._display is None or self._xlib is None or self._xss is None:
            return
        self._xss.XScreenSaverSuspend(self._display, 0)
        self._xlib.XFlush(self._display)
        self._xlib.XCloseDisplay(self._display)
        self._display = None
