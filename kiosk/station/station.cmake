# kiosk/station/: the long-lived state of one kiosk (issue #11 items 3 and
# 5; KR-36, KR-37, KR-38; docs/station.md): the lock, the store, one warm
# engine and its swap after an import, the start-up self-test, the slip of
# a check-in.  `kikan checkin` and the GTK kiosk both drive it.  Included
# by kiosk/CMakeLists.txt after every library it uses.
kikan_kiosk_library(kikan_kiosk_station station
  SOURCES station-setup.c station.c station-selftest.c station-signatures.c network.c
  LINKS kikan_kiosk_auth kikan_kiosk_checkin kikan_kiosk_slip kikan_kiosk_print kikan_kiosk_audit
        kikan_kiosk_store kikan_kiosk_inspect kikan_kiosk_signatures kikan_kiosk_software
        kikan_kiosk_common PkgConfig::JSONGLIB PkgConfig::SQLITE)
