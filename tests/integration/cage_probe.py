#!/usr/bin/python3
"""A GTK 4 client for tests/integration/test_cage.py (python3-gi, Debian's
gir1.2-gtk-4.0): opens one window, and once the compositor has mapped it
prints which display it is on and as which user, then exits 0.  Exit 1 if
the window was not mapped within the time given (argv[1], seconds).

It proves that cage runs a GTK 4 program headless on this machine; it is
NOT the evidence that kikan-kiosk does (test_cage.py runs the real one).
"""

import os
import sys

import gi

gi.require_version("Gtk", "4.0")
gi.require_version("Gdk", "4.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

limit = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
app = Gtk.Application(application_id="org.kikan.CageProbe")
outcome = {"rc": 1}


def on_map(_window):
    display = Gdk.Display.get_default()
    print("mapped: display=%s name=%s uid=%d" % (type(display).__name__, display.get_name(),
                                                  os.getuid()), flush=True)
    outcome["rc"] = 0
    GLib.timeout_add(100, app.quit)


def on_timeout():
    print("not mapped within %.0f s" % limit, flush=True)
    app.quit()
    return GLib.SOURCE_REMOVE


def on_activate(application):
    window = Gtk.ApplicationWindow(application=application, title="Kikan cage probe")
    window.set_child(Gtk.Label(label="Kikan cage probe"))
    window.connect("map", on_map)
    GLib.timeout_add(int(limit * 1000), on_timeout)
    window.present()


app.connect("activate", on_activate)
app.run([sys.argv[0]])
sys.exit(outcome["rc"])
