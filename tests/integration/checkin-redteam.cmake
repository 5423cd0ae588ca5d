# Red-team tests of the check-in (tests/integration/test_checkin_redteam.py):
# registered as tests/integration/checkin.cmake does, one ctest each, named
# integration.checkin_redteam.<test>; the USB ones under umockdev-wrapper.
set(KIKAN_IT_CHECKIN_REDTEAM_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_CHECKIN_REDTEAM_TESTS
  test_checkin_redteam.RedteamPresent.test_same_medium_presented_as_two_assets
  test_checkin_redteam.RedteamPresent.test_same_medium_under_another_spelling
  test_checkin_redteam.RedteamPresent.test_second_checkin_after_quarantine_not_cleared
  test_checkin_redteam.RedteamScript.test_duplicate_json_key_answer_not_lost
  test_checkin_redteam.RedteamScript.test_missing_and_present_records_nothing
  test_checkin_redteam.RedteamScript.test_script_path_escaped_in_error
  test_checkin_redteam.RedteamIt.test_loan_added_during_session_not_cleared
  test_checkin_redteam.RedteamIt.test_exit_status_counts_result_after_visit
  test_checkin_redteam.RedteamIt.test_reason_of_unicode_spaces_refused
  test_checkin_redteam.RedteamIt.test_session_hold_is_in_it_queue
  test_checkin_redteam.RedteamIt.test_hand_edited_verdict_detected
  test_checkin_redteam.RedteamIt.test_forged_it_verdict_row_detected
  test_checkin_redteam.RedteamIt.test_it_action_survives_late_inspection_result)
set(KIKAN_IT_CHECKIN_REDTEAM_USB_TESTS
  test_checkin_redteam.RedteamUsb.test_hostile_serial_escaped_once
  test_checkin_redteam.RedteamUsb.test_storage_device_typed_token_not_cleared_unread)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE
             ${KIKAN_IT_CHECKIN_REDTEAM_TESTS} ${KIKAN_IT_CHECKIN_REDTEAM_USB_TESTS})

set(KIKAN_IT_CHECKIN_REDTEAM_ENV
    "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_CLAMAV_TESTFILES=${KIKAN_CLAMAV_TESTFILES_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")

if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_CHECKIN_REDTEAM_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_CHECKIN_REDTEAM_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_CHECKIN_REDTEAM_DIR})
    set_tests_properties(${name} PROPERTIES LABELS integration TIMEOUT 900
                         ENVIRONMENT "${KIKAN_IT_CHECKIN_REDTEAM_ENV}")
  endforeach()
  # USB sticks simulated by umockdev, with the system Python (as checkin.cmake).
  find_program(KIKAN_UMOCKDEV_WRAPPER umockdev-wrapper REQUIRED)
  find_program(KIKAN_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
  foreach(id IN LISTS KIKAN_IT_CHECKIN_REDTEAM_USB_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${KIKAN_UMOCKDEV_WRAPPER} ${KIKAN_SYSTEM_PYTHON3}
                     ${KIKAN_IT_CHECKIN_REDTEAM_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_CHECKIN_REDTEAM_DIR})
    set_tests_properties(${name} PROPERTIES LABELS integration TIMEOUT 600
      ENVIRONMENT_MODIFICATION "ASAN_OPTIONS=string_append::verify_asan_link_order=0:"
      ENVIRONMENT "${KIKAN_IT_CHECKIN_REDTEAM_ENV}")
  endforeach()
endif()
