# Unit test of the check-in library as the GTK kiosk drives it
# (kiosk/checkin/checkin.c; docs/checkin.md): identity from the USB
# watcher, cancelling an inspection.  Real store, real kikan-scand.
add_executable(test-kiosk-checkin ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-checkin.c)
target_link_libraries(test-kiosk-checkin PRIVATE kikan_kiosk PkgConfig::CMOCKA)
target_compile_definitions(test-kiosk-checkin PRIVATE G_LOG_DOMAIN="kikan-test"
  KIKAN_TEST_SCAND="$<TARGET_FILE:kikan-scand>"
  KIKAN_TEST_SIGNATURES="${CMAKE_SOURCE_DIR}/signatures"
  KIKAN_TEST_FIXTURES="${KIKAN_FIXTURES_DIR}")
add_dependencies(test-kiosk-checkin kikan-scand)
add_test(NAME unit-kiosk-checkin COMMAND test-kiosk-checkin)
set_tests_properties(unit-kiosk-checkin PROPERTIES
  LABELS unit
  TIMEOUT 300
  ENVIRONMENT "KIKAN_HOME=${CMAKE_CURRENT_BINARY_DIR}/kiosk-home/checkin;KIKAN_FAKE_NOW=;KIKAN_SANDBOX=")
