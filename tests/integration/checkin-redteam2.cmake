# Red-team round 2 of the check-in, the ledger import and the store
# (tests/integration/test_checkin_redteam2.py): one ctest each, named
# integration.checkin_redteam2.<test>, as checkin-redteam.cmake does.
set(KIKAN_IT_CHECKIN_REDTEAM2_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_CHECKIN_REDTEAM2_TESTS
  test_checkin_redteam2.Decl.test_byod_deleted_is_conditional_with_condition
  test_checkin_redteam2.Decl.test_byod_deletion_not_sure_holds
  test_checkin_redteam2.Decl.test_byod_deletion_typo_not_confirmed
  test_checkin_redteam2.Decl.test_byod_follow_up_opened_for_it
  test_checkin_redteam2.Decl.test_confirmation_not_given
  test_checkin_redteam2.Decl.test_credential_exposure_conditional
  test_checkin_redteam2.Decl.test_no_loans_clean_declaration_cleared
  test_checkin_redteam2.Decl.test_not_applicable_yes_still_counts
  test_checkin_redteam2.Decl.test_paper_documents_not_sure_holds
  test_checkin_redteam2.Decl.test_q10_classification_variants
  test_checkin_redteam2.Decl.test_q17_free_text_is_info_only
  test_checkin_redteam2.ImportDuringCheckin.test_encryption_required_flipped_midway_is_used
  test_checkin_redteam2.ImportDuringCheckin.test_import_does_not_relend_items_returned_at_kiosk
  test_checkin_redteam2.ImportDuringCheckin.test_loan_moved_to_another_employee_midway_not_cleared
  test_checkin_redteam2.Ledger2.test_blank_name_refused
  test_checkin_redteam2.Ledger2.test_disk_full_during_import_changes_nothing
  test_checkin_redteam2.Ledger2.test_export_neutralises_formulas
  test_checkin_redteam2.Ledger2.test_import_waits_for_a_writer_then_refuses_cleanly
  test_checkin_redteam2.Ledger2.test_newer_schema_refused_by_every_command
  test_checkin_redteam2.Ledger2.test_read_only_store_import_refused_unchanged
  test_checkin_redteam2.Ledger2.test_wal_left_by_crash_is_read
  test_checkin_redteam2.Output.test_hostile_asset_presented_escaped
  test_checkin_redteam2.Output.test_hostile_followups_escaped_in_human_output
  test_checkin_redteam2.Output.test_hostile_serial_presented_escaped
  test_checkin_redteam2.ScriptNames.test_lost_and_presented_by_serial_records_nothing
  test_checkin_redteam2.ScriptNames.test_personal_data_on_plain_stick_not_cleared
  test_checkin_redteam2.ScriptNames.test_quarantined_item_not_lent_again
  test_checkin_redteam2.ScriptNames.test_lone_surrogate_follow_up_checked_before_recording)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_CHECKIN_REDTEAM2_TESTS})

set(KIKAN_IT_CHECKIN_REDTEAM2_ENV
    "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_CLAMAV_TESTFILES=${KIKAN_CLAMAV_TESTFILES_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")

if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_CHECKIN_REDTEAM2_TESTS)
    string(REGEX REPLACE "^test_([a-z_0-9]+)\\.[A-Za-z0-9]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_CHECKIN_REDTEAM2_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_CHECKIN_REDTEAM2_DIR})
    set_tests_properties(${name} PROPERTIES LABELS integration TIMEOUT 900
                         ENVIRONMENT "${KIKAN_IT_CHECKIN_REDTEAM2_ENV}")
  endforeach()
endif()
