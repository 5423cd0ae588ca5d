# kiosk/usb/: USB identity (issue #9 item 3, docs/usb.md).  libusb reads the
# descriptors, GUdev the sysfs attributes, the block devices beneath a device
# and hot-plug.  Included from kiosk/CMakeLists.txt.
pkg_check_modules(LIBUSB REQUIRED IMPORTED_TARGET libusb-1.0)
pkg_check_modules(GUDEV REQUIRED IMPORTED_TARGET gudev-1.0)
kikan_kiosk_library(kikan_kiosk_usb usb
  SOURCES usb-device.c usb-assess.c usb-json.c usb-watch.c
  LINKS kikan_kiosk_common PkgConfig::LIBUSB PkgConfig::GUDEV PkgConfig::JSONGLIB)

# The commented example list (docs/usb.md); IT copies it to /etc/kikan/usb.conf.
install(FILES ${CMAKE_SOURCE_DIR}/data/usb.conf.example DESTINATION ${CMAKE_INSTALL_DATADIR}/kikan)
