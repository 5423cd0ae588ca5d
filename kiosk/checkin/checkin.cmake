kikan_kiosk_library(kikan_kiosk_checkin checkin
  SOURCES reasons.c declaration.c script.c evidence.c checkin.c it-actions.c verdict.c
  LINKS kikan_kiosk_common kikan_kiosk_software kikan_kiosk_inspect kikan_kiosk_store kikan_kiosk_audit kikan_kiosk_ledger
        kikan_kiosk_usb PkgConfig::JSONGLIB)
