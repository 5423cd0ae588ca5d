# UI tests of IT mode and the start-up screen (issue #11 items 2, 3, 5):
# ui/it/ and ui/startup/ driven through their "it" and "startup" actions
# and the window's, real kikan-scand, real signatures, the store asserted.
include(${CMAKE_CURRENT_LIST_DIR}/ui.cmake)
kikan_ui_test(it ${CMAKE_CURRENT_LIST_DIR}/test-ui-it.c
  TIMEOUT 900
  CASES override lockout idle tools import startup_blocks startup_passes
  startup_fixed_by_it)
target_compile_definitions(test-ui-it PRIVATE
  KIKAN_UI_TEST_PROJECT_SIGNATURES="${CMAKE_SOURCE_DIR}/signatures")
