# UI tests of IT mode and the start-up screen (issue #11 items 2, 3, 5):
# ui/it/ and ui/startup/ driven through their "it" and "startup" actions
# and the window's, real kikan-scand, real signatures, the store asserted.
# A GTK or GLib warning or critical fails them (G_DEBUG=fatal-warnings): a
# view that touches a widget it no longer has, or a hostile string that
# breaks a label's markup, is a bug even when the screen looks right.
include(${CMAKE_CURRENT_LIST_DIR}/ui.cmake)
set(KIKAN_UI_IT_CASES override lockout idle tools import startup_blocks startup_passes
    startup_fixed_by_it startup_unavailable language_switch password bad_it_settings signin_clears
    change_clears change_idle queue ledger kiosk)
kikan_ui_test(it ${CMAKE_CURRENT_LIST_DIR}/test-ui-it.c
  TIMEOUT 900
  CASES ${KIKAN_UI_IT_CASES})
target_compile_definitions(test-ui-it PRIVATE
  KIKAN_UI_TEST_PROJECT_SIGNATURES="${CMAKE_SOURCE_DIR}/signatures")
foreach(case ${KIKAN_UI_IT_CASES})
  set_property(TEST ui.it.${case} APPEND PROPERTY ENVIRONMENT "G_DEBUG=fatal-warnings")
endforeach()
