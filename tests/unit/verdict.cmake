# Unit tests of the verdict engine, the reason table and the declaration
# model (kiosk/checkin/verdict.c, reasons.c, declaration.c; issue #9 item 5,
# docs/verdicts.md).  Pure functions: no KIKAN_HOME, no store.  The verdict
# test compares the reason table with docs/verdicts.md in the source tree.
foreach(topic IN ITEMS verdict declaration)
  add_executable(test-kiosk-${topic} ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-${topic}.c)
  target_link_libraries(test-kiosk-${topic} PRIVATE kikan_kiosk_checkin PkgConfig::CMOCKA)
  target_compile_definitions(test-kiosk-${topic} PRIVATE
    G_LOG_DOMAIN="kikan-test"
    KIKAN_TEST_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_test(NAME unit-kiosk-${topic} COMMAND test-kiosk-${topic})
  set_tests_properties(unit-kiosk-${topic} PROPERTIES LABELS unit TIMEOUT 120)
endforeach()
