# Integration tests of the signed clearance slip (issue #10 items 4 and 5;
# KR-27, KR-28; docs/slip.md): pdftotext, pdftoppm and zbarimg read it back.
set(KIKAN_IT_SLIP_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_SLIP_TESTS
  test_slip.Slip.test_checkin_issues_signed_slip_read_back_from_the_qr
  test_slip.Slip.test_conditional_slip_states_conditions_and_dates
  test_slip.Slip.test_changed_character_rejected
  test_slip.Slip.test_slip_of_another_kiosk_rejected
  test_slip.Slip.test_expired_and_not_yet_valid
  test_slip.Slip.test_reprint_marked_copy
  test_slip.Slip.test_both_layouts_and_languages
  test_slip.Slip.test_audit_verify_slip
  test_slip.Slip.test_show_and_mistyped_number
  test_slip.SlipNotInitialised.test_checkin_completes_without_slip
  test_slip.SlipNotInitialised.test_hostile_name_escaped_and_bad_config_named
  test_slip.SlipPrintedAtCheckin.test_checkin_prints_the_slip
  test_slip.SlipPrintedAtCheckin.test_checkin_without_printer_says_so_and_keeps_the_slip
  test_slip.SlipAtTheLanPort.test_cleared_exits_0_quarantine_exits_3)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_SLIP_TESTS})
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_SLIP_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_SLIP_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_SLIP_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 600
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
