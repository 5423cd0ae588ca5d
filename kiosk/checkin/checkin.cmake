kikan_kiosk_library(kikan_kiosk_checkin checkin
  SOURCES reasons.c declaration.c
  LINKS kikan_kiosk_common kikan_kiosk_software PkgConfig::JSONGLIB)
