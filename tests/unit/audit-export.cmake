# Unit tests of the audit trail's export pieces (kiosk/audit/: the review
# sample's draw, seeds, filters' times, syslog and CSV escaping, person
# input).  Issue #10 item 3; KR-31, KR-33.
add_executable(test-kiosk-audit-export ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-audit-export.c)
target_link_libraries(test-kiosk-audit-export PRIVATE kikan_kiosk_audit PkgConfig::CMOCKA)
target_compile_definitions(test-kiosk-audit-export PRIVATE G_LOG_DOMAIN="kikan-test")
add_test(NAME unit-kiosk-audit-export COMMAND test-kiosk-audit-export)
set_tests_properties(unit-kiosk-audit-export PROPERTIES LABELS unit TIMEOUT 60)
