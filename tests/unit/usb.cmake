# Unit tests of kiosk/usb/ (USB identity, issue #9): devices are umockdev
# testbeds the tests build by hand (sysfs attributes, the binary
# `descriptors`, interface and block children, uevents, an in-process ioctl
# handler for libusb's string requests: test-kiosk-usb-testbed.h).  libumockdev
# needs its preload library in the process, hence umockdev-wrapper.
pkg_check_modules(UMOCKDEV REQUIRED IMPORTED_TARGET umockdev-1.0)
find_program(KIKAN_UMOCKDEV_WRAPPER umockdev-wrapper REQUIRED)

foreach(topic usb usb-watch)
  add_executable(test-kiosk-${topic} ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-${topic}.c)
  target_link_libraries(test-kiosk-${topic} PRIVATE kikan_kiosk_usb PkgConfig::UMOCKDEV
                        PkgConfig::CMOCKA)
  target_compile_definitions(test-kiosk-${topic} PRIVATE
    G_LOG_DOMAIN="kikan-test"
    KIKAN_TEST_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_test(NAME unit-kiosk-${topic}
           COMMAND ${KIKAN_UMOCKDEV_WRAPPER} $<TARGET_FILE:test-kiosk-${topic}>)
  # Under ASan (scripts/test.sh --sanitize) the preloaded umockdev library
  # comes before libasan, which ASan refuses unless told that this is meant.
  set_tests_properties(unit-kiosk-${topic} PROPERTIES LABELS unit TIMEOUT 120
    ENVIRONMENT_MODIFICATION "ASAN_OPTIONS=string_append::verify_asan_link_order=0:")
endforeach()
