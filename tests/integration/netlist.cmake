# Integration tests of the network team's signed lists (issue #10 item 7;
# KR-29, JNSA-2.6, Admin I-4, I-6; docs/netlist.md).
set(KIKAN_IT_NETLIST_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_NETLIST_TESTS
  test_netlist.NetlistAfterCheckins.test_lists_after_cleared_and_quarantined_checkins
  test_netlist.NetlistAfterCheckins.test_signature_verifies_and_one_changed_byte_fails
  test_netlist.NetlistAfterCheckins.test_expired_clearance_moves_to_watch
  test_netlist.NetlistAfterCheckins.test_export_refuses_non_empty_folder
  test_netlist.NetlistFabricated.test_hostile_names_guarded
  test_netlist.NetlistFabricated.test_monitoring_on_both_lists
  test_netlist.NetlistFabricated.test_unreadable_verdict_refused
  test_netlist.NetlistFabricated.test_not_initialised_refused
  test_netlist.NetlistFabricated.test_malformed_sums_refused)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_NETLIST_TESTS})
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_NETLIST_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_NETLIST_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_NETLIST_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 600
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
