# UI tests of the employee flow (issue #11 item 1): ui/employee/ driven
# through the "checkin" actions, real kikan-scand, real signatures, the
# store asserted.  The frame-gap test has its own ctest name (budget it).
include(${CMAKE_CURRENT_LIST_DIR}/ui.cmake)
kikan_ui_test(checkin ${CMAKE_CURRENT_LIST_DIR}/test-ui-checkin.c
  TIMEOUT 900
  CASES harness clean_cleared encrypted_archive_hold inactivity_abandons
        hostile_strings_escaped hostile_name_escaped identify_refused passphrase_unlocks
        cancel_asks_first passphrase_dropped_on_cancel missing_at_home followups_through_the_page
        lost_through_the_page usb_plugged_and_pulled
        inactivity_after_result not_ready_says_call_it language_switch_keeps_the_visit
        conditional_shows_condition)
# The frame-gap test (issue #11 "Must show"): its own name and budget.
# It measures time: run alone (RUN_SERIAL); on a machine whose cores are
# busy with other work it can fail, which is what it is for.
kikan_ui_cases(test-ui-checkin ui.frame-gap SERIAL TIMEOUT 900 CASES frame_gap)
