# Run with Debian's python3: the tests sign with python3-nacl.
find_program(KIKAN_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
# Integration tests of the audit export, bundles, samples and retention
# (issue #10 item 3; docs/audit.md).
set(KIKAN_IT_AUDIT_EXPORT_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_AUDIT_EXPORT_TESTS
  test_audit_export.AuditExport.test_jsonl_every_field
  test_audit_export.AuditExport.test_csv_rfc4180_and_formula_guard
  test_audit_export.AuditExport.test_syslog_rfc5424_escaping
  test_audit_export.AuditExport.test_filters
  test_audit_export.AuditExport.test_show_one_record_whole
  test_audit_export.AuditExport.test_bundle_verifies_in_empty_home
  test_audit_export.AuditExport.test_unsigned_bundle_says_so
  test_audit_export.AuditExport.test_bundle_one_byte_changed
  test_audit_export.AuditExport.test_bundle_record_removed
  test_audit_export.AuditExport.test_bundle_member_added
  test_audit_export.AuditExport.test_bundle_path_traversal
  test_audit_export.AuditExport.test_bundle_signed_by_another_key
  test_audit_export.AuditExport.test_bundle_garbage_is_an_error
  test_audit_export.AuditExport.test_sample_reproducible
  test_audit_export.AuditExport.test_sample_larger_than_population_refused
  test_audit_export.AuditExport.test_attest_and_list
  test_audit_export.AuditExport.test_status_warns_low_space
  test_audit_export.AuditExport.test_status_counts_the_slip_archive
  test_audit_export.AuditExport.test_status_projection_and_config)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_AUDIT_EXPORT_TESTS})
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_AUDIT_EXPORT_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${KIKAN_SYSTEM_PYTHON3} ${KIKAN_IT_AUDIT_EXPORT_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_AUDIT_EXPORT_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 600
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
