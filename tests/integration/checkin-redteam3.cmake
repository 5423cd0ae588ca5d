# Red-team round 3 of the check-in, the ledger import and the store
# (tests/integration/test_checkin_redteam3.py): one ctest each, named
# integration.checkin_redteam3.<test>, as checkin-redteam.cmake does.
set(KIKAN_IT_CHECKIN_REDTEAM3_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_CHECKIN_REDTEAM3_TESTS
  test_checkin_redteam3.Media3.test_control_two_clean_sticks_cleared
  test_checkin_redteam3.Media3.test_folder_with_fifo_not_cleared
  test_checkin_redteam3.Media3.test_partition_past_end_not_cleared
  test_checkin_redteam3.Media3.test_luks_wrong_passphrase_not_cleared
  test_checkin_redteam3.Media3.test_luks_symlinked_passphrase_file
  test_checkin_redteam3.Media3.test_locked_luks_partition_not_cleared
  test_checkin_redteam3.Media3.test_locked_luks_beside_blank_partition_not_cleared
  test_checkin_redteam3.Daemon3.test_daemon_killed_mid_scan_not_cleared
  test_checkin_redteam3.Daemon3.test_image_rewritten_during_read_not_cleared
  test_checkin_redteam3.Daemon3.test_it_session_action_survives_two_late_results
  test_checkin_redteam3.Audit3.test_tail_records_deleted_detected
  test_checkin_redteam3.Audit3.test_session_record_moved_out_of_listing_detected
  test_checkin_redteam3.Audit3.test_audit_list_escapes_kind_and_at
  test_checkin_redteam3.Audit3.test_forged_record_seq_zero_detected)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_CHECKIN_REDTEAM3_TESTS})

set(KIKAN_IT_CHECKIN_REDTEAM3_ENV
    "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_CLAMAV_TESTFILES=${KIKAN_CLAMAV_TESTFILES_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")

if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_CHECKIN_REDTEAM3_TESTS)
    string(REGEX REPLACE "^test_([a-z_0-9]+)\\.[A-Za-z0-9]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_CHECKIN_REDTEAM3_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_CHECKIN_REDTEAM3_DIR})
    set_tests_properties(${name} PROPERTIES LABELS integration TIMEOUT 900
                         ENVIRONMENT "${KIKAN_IT_CHECKIN_REDTEAM3_ENV}")
  endforeach()
endif()
