# Unit tests of kiosk/ (the GLib side of `kikan`): escaping of hostile names,
# the scan report and its JSON, kikan.conf, the signature store (with the
# real signed upstream test databases), the self-test evaluation, and the
# CLI helpers.  Each test case runs in a fresh KIKAN_HOME made beneath the
# one set here, so nothing ever touches /var/lib/kikan.
if(NOT DEFINED KIKAN_SHARED_TESTDATA_DIR)
  set(KIKAN_SHARED_TESTDATA_DIR "${CMAKE_SOURCE_DIR}/../shared/testdata")
endif()

set(KIKAN_KIOSK_UNIT_TESTS escape scan-report config sig-store selftest cli)
foreach(topic IN LISTS KIKAN_KIOSK_UNIT_TESTS)
  add_executable(test-kiosk-${topic} ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-${topic}.c)
  target_link_libraries(test-kiosk-${topic} PRIVATE kikan_kiosk PkgConfig::CMOCKA)
  # A missing shared test-data folder makes the tests that need it FAIL.
  target_compile_definitions(test-kiosk-${topic} PRIVATE
    G_LOG_DOMAIN="kikan-test"
    KIKAN_TEST_SHARED="${KIKAN_SHARED_TESTDATA_DIR}"
    KIKAN_TEST_LIBEXEC_DIR="${KIKAN_LIBEXEC_DIR}")
  add_test(NAME unit-kiosk-${topic} COMMAND test-kiosk-${topic})
  set_tests_properties(unit-kiosk-${topic} PROPERTIES
    LABELS unit
    TIMEOUT 300
    ENVIRONMENT "KIKAN_HOME=${CMAKE_CURRENT_BINARY_DIR}/kiosk-home/${topic};KIKAN_SANDBOX=")
endforeach()
