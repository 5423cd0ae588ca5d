# Red-team round of the sealed audit trail, bundles, exports and samples
# (tests/integration/test_audit_redteam.py; issue #10): one ctest each, named
# integration.audit_redteam.<test>.  Debian's python3, which has
# python3-nacl (the thief re-signs with the stolen Ed25519 key).
set(KIKAN_IT_AUDIT_REDTEAM_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_AUDIT_REDTEAM_TESTS
  test_audit_redteam.SealTail.test_tail_cut_detected_by_key_file
  test_audit_redteam.SealTail.test_tail_cut_with_key_file_epoch_rolled_back_detected
  test_audit_redteam.SealTail.test_tail_cut_with_key_file_removed_detected
  test_audit_redteam.SealTail.test_auditor_copy_does_not_overclaim_after_tail_cut
  test_audit_redteam.SealTail.test_anchor_catches_a_tail_cut_on_the_auditors_copy
  test_audit_redteam.SealTail.test_forged_unsealed_tail_reported_as_unsealed
  test_audit_redteam.SealTail.test_finished_command_leaves_nothing_unsealed
  test_audit_redteam.SealTail.test_seal_beyond_chain_with_stolen_key_rejected
  test_audit_redteam.SealTamper.test_hash_stored_as_blob_named
  test_audit_redteam.SealTamper.test_mac_stored_as_blob_named
  test_audit_redteam.SealTamper.test_payload_text_with_hidden_tail_after_nul_named
  test_audit_redteam.SealTamper.test_payload_blob_with_hidden_tail_after_nul_named
  test_audit_redteam.SealTamper.test_mac_null_after_init_named
  test_audit_redteam.SealTamper.test_seal_seq_as_blob_rejected
  test_audit_redteam.SealTamper.test_seals_reordered_rejected
  test_audit_redteam.SealTamper.test_duplicate_epoch_rejected
  test_audit_redteam.SealTamper.test_kiosk_id_changed_rejected
  test_audit_redteam.SealTamper.test_whole_trail_rekeyed_by_thief_rejected
  test_audit_redteam.SealTamper.test_seal_key_replaced_by_guessed_key_named
  test_audit_redteam.SealKeyFile.test_damaged_key_files_refused
  test_audit_redteam.SealKeyFile.test_damaged_signing_key_refused
  test_audit_redteam.SealKeyFile.test_keys_folder_symlinked
  test_audit_redteam.SealConcurrent.test_parallel_writers_keep_the_key_in_step
  test_audit_redteam.BundleRedteam.test_untouched_bundle_trusted_with_both_keys
  test_audit_redteam.BundleRedteam.test_duplicate_member_refused
  test_audit_redteam.BundleRedteam.test_member_name_with_control_characters_refused_and_escaped
  test_audit_redteam.BundleRedteam.test_members_out_of_order_still_verify
  test_audit_redteam.BundleRedteam.test_gzip_bomb_refused_without_using_the_memory
  test_audit_redteam.BundleRedteam.test_xz_member_over_the_limit_streamed_refused
  test_audit_redteam.BundleRedteam.test_thief_identity_without_public_key_not_called_trusted
  test_audit_redteam.BundleRedteam.test_other_kiosks_bundle_rejected_with_this_kiosks_keys
  test_audit_redteam.BundleRedteam.test_unsealed_looking_bundle_rejected_with_keys
  test_audit_redteam.BundleRedteam.test_duplicate_json_keys_in_records_refused
  test_audit_redteam.BundleRedteam.test_numbers_as_strings_in_records_refused
  test_audit_redteam.BundleRedteam.test_session_id_as_float_in_records_refused
  test_audit_redteam.ExportRedteam.test_list_and_show_escape_terminal_sequences
  test_audit_redteam.ExportRedteam.test_syslog_header_and_sd_param_hold_hostile_text
  test_audit_redteam.ExportRedteam.test_syslog_hostname_from_edited_kiosk_id_stays_one_field
  test_audit_redteam.ExportRedteam.test_csv_formula_guard_with_leading_whitespace
  test_audit_redteam.SampleRedteam.test_draw_matches_the_documented_algorithm
  test_audit_redteam.SampleRedteam.test_every_position_is_drawn
  test_audit_redteam.SampleRedteam.test_bad_seeds_refused
  test_audit_redteam.SampleRedteam.test_attest_hostile
  test_audit_redteam.SampleRedteam.test_sample_filter_text_escaped_in_listing
  test_audit_redteam.SlipRedteam.test_hostile_slip_numbers)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_AUDIT_REDTEAM_TESTS})
find_program(KIKAN_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_AUDIT_REDTEAM_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z0-9]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${KIKAN_SYSTEM_PYTHON3} ${KIKAN_IT_AUDIT_REDTEAM_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_AUDIT_REDTEAM_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 900
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
