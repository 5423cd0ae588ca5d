# UI tests of auditor mode (issue #11 item 4; KR-31, KR-32, KR-33): the
# "auditor" actions on a store holding check-ins made by `kikan checkin
# --script`; filters, verification and tampering, sampling, export, and
# that nothing but the audit log's own tables changes.
include(${CMAKE_CURRENT_LIST_DIR}/ui.cmake)
kikan_ui_test(auditor ${CMAKE_CURRENT_LIST_DIR}/test-ui-auditor.c
  TIMEOUT 600
  CASES signin filters verify sample export read_only hostile screens signin_clears
    change_clears idle)
