# Integration tests of the audit chain (issue #10 item 1; docs/audit.md).
set(KIKAN_IT_AUDIT_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_AUDIT_TESTS
  test_audit.AuditChain.test_every_step_recorded_and_intact
  test_audit.AuditChain.test_append_only_in_the_store
  test_audit.AuditChain.test_changed_record_named
  test_audit.AuditChain.test_removed_record_named
  test_audit.AuditChain.test_reordered_records_named
  test_audit.AuditChain.test_inserted_record_named
  test_audit.AuditChain.test_recomputed_hash_of_one_record_still_breaks_the_next)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_AUDIT_TESTS})
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_AUDIT_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_AUDIT_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_AUDIT_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 600
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
