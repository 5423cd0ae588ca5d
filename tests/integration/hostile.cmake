# Integration tests of hostile archives and streams (issue #8 items 2-4;
# docs/media.md "Where a medium can hold data"): zips whose central
# directory and local headers disagree, sparse tar members, concatenated
# and bare compressed streams, all built at TEST time by
# tests/integration/test_hostile.py.  KR-09, KR-10.
#
# Same rules as integration.cmake: one ctest per Python test (run.py fails
# on a skip), label integration, a fresh KIKAN_HOME each; the IDs are added
# to integration.all_registered through KIKAN_IT_REGISTERED_ELSEWHERE.

# A FUSE file system that acts as a hostile or failing medium for folder
# targets: a file that shows other bytes on a second read, one truncated
# while it is read, one whose device fails mid-read (item 8).
pkg_check_modules(FUSE3 REQUIRED IMPORTED_TARGET fuse3)
add_executable(fickle-fs ${CMAKE_CURRENT_LIST_DIR}/../tools/fickle-fs.c)
target_link_libraries(fickle-fs PRIVATE kikan_warnings PkgConfig::FUSE3)

set(KIKAN_IT_HOSTILE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_HOSTILE_TESTS
  test_hostile.HostileArchives.test_zip_local_stored_central_deflate
  test_hostile.HostileArchives.test_zip_local_entry_not_in_central_directory
  test_hostile.HostileArchives.test_zip_hidden_entry_clean_is_still_inconsistent
  test_hostile.HostileArchives.test_zip_bad_crc_is_a_reason
  test_hostile.HostileArchives.test_ordinary_zip_stays_clean
  test_hostile.HostileArchives.test_pax_sparse_member_rebuilt
  test_hostile.HostileArchives.test_gnu_tar_sparse_file
  test_hostile.HostileArchives.test_two_stream_bzip2
  test_hostile.HostileArchives.test_two_member_gzip
  test_hostile.HostileArchives.test_two_stream_xz
  test_hostile.HostileArchives.test_bare_streams_decoded
  test_hostile.HostileArchives.test_stream_inside_zip
  test_hostile.HostileArchives.test_tar_concatenated
  test_hostile.HostileArchives.test_zip_device_entry_with_data
  test_hostile.HostileArchives.test_zip_symlink_entry_data_scanned
  test_hostile.HostileArchives.test_tar_device_entry_with_data
  test_hostile.HostileArchives.test_ar_archive_members
  test_hostile.HostileArchives.test_lz4_skippable_frame_first
  test_hostile.HostileArchives.test_tar_with_device_nodes_stays_clean
  test_hostile.HostileArchives.test_disk_image_inside_zip
  test_hostile.HostileArchives.test_ar_inside_zip
  test_hostile.HostileArchives.test_lha_unknown_first_method
  test_hostile.HostileArchives.test_decoded_stream_scanned_whole
  test_hostile.HostileArchives.test_stream_with_trailing_garbage
  test_hostile.HostileArchives.test_zip_end_record_libarchive_rejects
  test_hostile.HostileArchives.test_zip64_end_record_disagrees
  test_hostile.HostileArchives.test_split_zip
  test_hostile.HostileArchives.test_rar_self_extractor_early_in_program
  test_hostile.HostileArchives.test_old_tar_inside_zip
  test_hostile.HostileArchives.test_ordinary_inputs_stay_clean
  test_hostile.HostileArchives.test_depth_cut_does_not_clean_later_files
  test_hostile.HostileArchives.test_rar_self_extractor_inside_zip
  test_hostile.HostileArchives.test_rar_self_extractor_behind_decoys
  test_hostile.HostileArchives.test_zip_end_record_then_junk
  test_hostile.HostileArchives.test_zip_appended_to_disk_image
  test_hostile.HostileArchives.test_archive_appended_to_any_file
  test_hostile.HostileArchives.test_zip_appended_to_image_target
  test_hostile.HostileArchives.test_plain_text_is_not_a_stream
  test_hostile.ChangingMedium.test_changing_files_on_a_folder_target)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_HOSTILE_TESTS})

if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_HOSTILE_TESTS)
    # test_hostile.HostileArchives.test_two_stream_bzip2 -> integration.hostile.two_stream_bzip2
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_HOSTILE_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_HOSTILE_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 900
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_CLAMAV_TESTFILES=${KIKAN_CLAMAV_TESTFILES_DIR};KIKAN_IT_FICKLE_FS=$<TARGET_FILE:fickle-fs>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
