# Integration tests of printing slips through a private cupsd (issue #10
# item 6; KR-27; docs/printing.md; tests/integration/cupsd.py).
set(KIKAN_IT_PRINT_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_PRINT_TESTS
  test_print.SlipPrint.test_printed_slip_arrives_as_pdf
  test_print.SlipPrint.test_multipage_a4_page_count
  test_print.SlipPrint.test_queue_option_overrides_config
  test_print.SlipNotPrinted.test_no_printer_configured
  test_print.SlipNotPrinted.test_stopped_queue_failed
  test_print.SlipNotPrinted.test_failing_backend_aborts_job
  test_print.SlipNotPrinted.test_failing_backend_stops_printer
  test_print.SlipNotPrinted.test_changed_pdf_refused
  test_print.SlipNotPrinted.test_unknown_queue
  test_print.SlipNotPrinted.test_no_print_service
  test_print.SlipPrintBadInput.test_unknown_slip
  test_print.SlipPrintBadInput.test_config_key_named
  test_print.SlipPrintBadInput.test_pdf_path_outside_home_refused
  test_print.SlipPrintBadInput.test_symlinked_pdf_refused)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_PRINT_TESTS})
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_PRINT_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_PRINT_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_PRINT_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 600
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
