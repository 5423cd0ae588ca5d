# Red-team round of the signed slip, its printing and the network team's
# lists (tests/integration/test_slip_redteam.py; issue #10 items 4-7): one
# ctest each, named integration.slip_redteam.<test>.  Debian's python3,
# which has python3-nacl (the thief signs with the stolen Ed25519 key).
set(KIKAN_IT_SLIP_REDTEAM_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_SLIP_REDTEAM_TESTS
  test_slip_redteam.SlipPayloadRedteam.test_not_cleared_slip_rewritten_as_cleared_refused
  test_slip_redteam.SlipPayloadRedteam.test_validity_window_stretched_refused
  test_slip_redteam.SlipPayloadRedteam.test_copy_presented_as_original_refused
  test_slip_redteam.SlipPayloadRedteam.test_reprint_does_not_extend_the_validity_window
  test_slip_redteam.SlipPayloadRedteam.test_other_encodings_of_the_same_signed_bytes
  test_slip_redteam.SlipPayloadRedteam.test_size_caps_zip_bomb_and_deep_nesting
  test_slip_redteam.SlipPayloadRedteam.test_signature_over_another_context_refused
  test_slip_redteam.SlipVerifyFileRedteam.test_symlink_to_dev_zero_refused
  test_slip_redteam.SlipVerifyFileRedteam.test_huge_file_refused_without_reading_it
  test_slip_redteam.SlipVerifyFileRedteam.test_hostile_code_taken_as_a_file_name_is_escaped
  test_slip_redteam.SlipVerifyFileRedteam.test_pdf_and_names_that_look_like_the_other
  test_slip_redteam.SlipSupersededRedteam.test_new_slip_says_quarantine_old_one_still_genuine
  test_slip_redteam.SlipSupersededRedteam.test_audit_verify_slip_names_a_superseded_slip
  test_slip_redteam.SlipSupersededRedteam.test_netlist_watches_the_device_after_the_later_quarantine
  test_slip_redteam.SlipSupersededRedteam.test_netlist_expired_and_lost_items
  test_slip_redteam.SlipIssueRedteam.test_session_not_ended_gets_no_slip
  test_slip_redteam.SlipIssueRedteam.test_crash_between_pdf_and_commit_does_not_block_later_slips
  test_slip_redteam.SlipIssueRedteam.test_unwritable_slips_folder_commits_nothing
  test_slip_redteam.SlipIssueRedteam.test_concurrent_issue_for_the_same_session
  test_slip_redteam.SlipIssueRedteam.test_slip_numbers_collide_across_kiosks_but_slips_do_not
  test_slip_redteam.SlipPdfRedteam.test_markup_bidi_and_zero_width_in_name_and_override
  test_slip_redteam.SlipPdfRedteam.test_long_name_and_reason_keep_verdict_qr_and_contacts
  test_slip_redteam.SlipPdfRedteam.test_never_cleared_for_what_was_not_inspected
  test_slip_redteam.SlipWitnessRedteam.test_issued_record_removed_and_chain_recomputed
  test_slip_redteam.SlipWitnessRedteam.test_issued_record_rewritten_with_chain_recomputed
  test_slip_redteam.SlipWitnessRedteam.test_stolen_key_slip_with_real_head_and_another_session
  test_slip_redteam.SlipPrintRedteam.test_printer_that_never_finishes_job_cancelled
  test_slip_redteam.SlipPrintRedteam.test_symlinked_slips_folder_and_swapped_pdf
  test_slip_redteam.NetlistRedteam.test_line_removed_and_sums_remade_without_the_key
  test_slip_redteam.NetlistRedteam.test_line_removed_and_resigned_by_a_thief_key
  test_slip_redteam.NetlistRedteam.test_list_of_another_kiosk_refused
  test_slip_redteam.NetlistRedteam.test_the_stolen_key_signs_but_slips_never_pass_as_lists)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_SLIP_REDTEAM_TESTS})
find_program(KIKAN_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_SLIP_REDTEAM_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z0-9]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${KIKAN_SYSTEM_PYTHON3} ${KIKAN_IT_SLIP_REDTEAM_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_SLIP_REDTEAM_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 900
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
