# Unit tests of the store (kiosk/store/) and the lending ledger with its CSV
# (kiosk/ledger/): real SQLite files in a fresh KIKAN_HOME per test case
# (test-kiosk-home.h), never /var/lib/kikan.  Issue #9 items 1 and 2.
foreach(topic IN ITEMS store ledger)
  add_executable(test-kiosk-${topic} ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-${topic}.c)
  target_link_libraries(test-kiosk-${topic} PRIVATE kikan_kiosk kikan_kiosk_ledger
                        kikan_kiosk_store PkgConfig::CMOCKA)
  target_compile_definitions(test-kiosk-${topic} PRIVATE G_LOG_DOMAIN="kikan-test"
    KIKAN_TEST_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_test(NAME unit-kiosk-${topic} COMMAND test-kiosk-${topic})
  set_tests_properties(unit-kiosk-${topic} PROPERTIES
    LABELS unit
    TIMEOUT 300
    ENVIRONMENT "KIKAN_HOME=${CMAKE_CURRENT_BINARY_DIR}/kiosk-home/${topic};KIKAN_FAKE_NOW=")
endforeach()
