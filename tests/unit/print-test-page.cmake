# Unit test of the printer's test page (kiosk/print/test-page.c): the PDF
# it makes (read back with pdftotext) and a refusal without a queue.
find_program(KIKAN_PDFTOTEXT pdftotext REQUIRED)
add_executable(test-kiosk-print-test-page ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-print-test-page.c)
target_link_libraries(test-kiosk-print-test-page PRIVATE kikan_kiosk PkgConfig::CMOCKA)
target_compile_definitions(test-kiosk-print-test-page PRIVATE G_LOG_DOMAIN="kikan-test"
  KIKAN_TEST_PDFTOTEXT="${KIKAN_PDFTOTEXT}")
add_test(NAME unit-kiosk-print-test-page COMMAND test-kiosk-print-test-page)
set_tests_properties(unit-kiosk-print-test-page PROPERTIES LABELS unit TIMEOUT 60)
