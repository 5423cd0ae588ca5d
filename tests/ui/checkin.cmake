# UI tests of the employee flow (issue #11 item 1): ui/employee/ driven
# through the "checkin" actions, real kikan-scand, real signatures, the
# store asserted.  The frame-gap test has its own ctest name (budget it).
include(${CMAKE_CURRENT_LIST_DIR}/ui.cmake)
kikan_ui_test(checkin ${CMAKE_CURRENT_LIST_DIR}/test-ui-checkin.c
  TIMEOUT 900
  CASES harness)
