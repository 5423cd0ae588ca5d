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
# The sealed chain (issue #10 item 2): run with Debian's python3, which has
# python3-nacl (the attacker re-signs checkpoints with the stolen key).
set(KIKAN_IT_AUDIT_SEAL_TESTS
  test_audit_seal.AuditSeal.test_untouched_store_verifies_sealed
  test_audit_seal.AuditSeal.test_used_keys_are_wiped
  test_audit_seal.AuditSeal.test_without_key_says_what_it_did_not_check
  test_audit_seal.AuditSeal.test_changed_byte_named
  test_audit_seal.AuditSeal.test_deleted_record_named
  test_audit_seal.AuditSeal.test_swapped_records_named
  test_audit_seal.AuditSeal.test_forged_record_inserted_and_chain_recomputed_named
  test_audit_seal.AuditSeal.test_recomputed_chain_caught_by_seals_even_without_key
  test_audit_seal.AuditSeal.test_resealed_with_stolen_keys_rejected
  test_audit_seal.AuditSeal.test_removed_last_seal_detected_and_nothing_more_written
  test_audit_seal.AuditSeal.test_seal_signed_by_another_key_rejected
  test_audit_seal.AuditSeal.test_wrong_verification_key_named
  test_audit_seal.AuditSeal.test_identity_removed
  test_audit_seal.AuditSeal.test_init_twice_refused
  test_audit_seal.AuditSeal.test_bad_verification_key_text
  test_audit_seal.AuditSealKill.test_kill_points
  test_audit_seal.DbCheckSeesTheChain.test_db_check_fails_on_a_rewritten_chain)
find_program(KIKAN_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_AUDIT_TESTS}
             ${KIKAN_IT_AUDIT_SEAL_TESTS})
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_AUDIT_TESTS KIKAN_IT_AUDIT_SEAL_TESTS)
    if(id MATCHES "^test_audit_seal")
      set(_python ${KIKAN_SYSTEM_PYTHON3})
    else()
      set(_python ${Python3_EXECUTABLE})
    endif()
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${_python} ${KIKAN_IT_AUDIT_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_AUDIT_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 600
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
