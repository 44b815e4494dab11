#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""lpad over D-Bus from Python: list profiles, switch one, download one while following its progress.

    lpad_example.py list
    lpad_example.py enable ICCID
    lpad_example.py download 'LPA:1$smdp.example.com$MATCHING-ID'

Debian packages: python3-dbus, python3-gi. The bus is the system bus unless LPAD_BUS says "session" or gives a
D-Bus address (unix:path=...). Errors arrive as dbus.exceptions.DBusException whose name is
org.lpad.Lpad1.Error.<Name> (docs/troubleshooting.md); compare names, never messages.
"""
import os
import sys

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

SERVICE = "org.lpad.Lpad1"
ROOT = "/org/lpad/Lpad1"
PROPS = "org.freedesktop.DBus.Properties"


def connect():
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    which = os.environ.get("LPAD_BUS", "system")
    if which == "system":
        return dbus.SystemBus()
    if which == "session":
        return dbus.SessionBus()
    return dbus.bus.BusConnection(which)


def first_euicc(bus):
    manager = bus.get_object(SERVICE, ROOT)
    euiccs = manager.Get("org.lpad.Lpad1.Manager", "Euiccs", dbus_interface=PROPS)
    if not euiccs:
        sys.exit("lpad manages no eUICC")
    return bus.get_object(SERVICE, euiccs[0])


def profiles(bus):
    """Every profile of every eUICC, from one GetManagedObjects call (lpad answers it from its cache)."""
    objects = bus.get_object(SERVICE, ROOT).GetManagedObjects(
        dbus_interface="org.freedesktop.DBus.ObjectManager")
    for path, interfaces in sorted(objects.items()):
        profile = interfaces.get("org.lpad.Lpad1.Profile")
        if profile is not None:
            yield path, profile


def cmd_list(bus, _args):
    for _path, p in profiles(bus):
        print(f"{p['Iccid']}  {p['State']:<8}  {p['Name']}")


def cmd_enable(bus, args):
    iccid = args[0]
    for path, p in profiles(bus):
        if p["Iccid"] == iccid:
            bus.get_object(SERVICE, path).Enable(dbus_interface="org.lpad.Lpad1.Profile", timeout=120)
            print(f"enabled {iccid}")
            return
    sys.exit(f"no profile {iccid}")


def cmd_download(bus, args):
    euicc = first_euicc(bus)
    loop = GLib.MainLoop()
    outcome = {}

    def on_changed(interface, changed, _invalidated):
        # DownloadStage / DownloadPercent change on the Euicc object while the download runs.
        if interface == "org.lpad.Lpad1.Euicc" and "DownloadPercent" in changed:
            print(f"progress {changed.get('DownloadStage', '')} {int(changed['DownloadPercent'])}%", flush=True)

    def on_reply(profile_path, iccid):
        outcome["iccid"] = str(iccid)
        loop.quit()

    def on_error(error):
        outcome["error"] = error.get_dbus_name()
        loop.quit()

    euicc.connect_to_signal("PropertiesChanged", on_changed, dbus_interface=PROPS)
    # The bus' default timeout is 25 s; a download takes longer. The call is asynchronous so that the signals are
    # seen while it runs.
    euicc.Download(args[0], dbus.Dictionary({}, signature="sv"), dbus_interface="org.lpad.Lpad1.Euicc",
                   timeout=600, reply_handler=on_reply, error_handler=on_error)
    loop.run()
    if "error" in outcome:
        sys.exit(f"download failed: {outcome['error']}")
    print(f"installed {outcome['iccid']}")


def main():
    commands = {"list": (cmd_list, 0), "enable": (cmd_enable, 1), "download": (cmd_download, 1)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or len(sys.argv) - 2 != commands[sys.argv[1]][1]:
        sys.exit(__doc__)
    fn, _ = commands[sys.argv[1]]
    fn(connect(), sys.argv[2:])


if __name__ == "__main__":
    main()
