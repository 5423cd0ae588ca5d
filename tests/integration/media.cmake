# Integration tests of whole media (issue #3; docs/json.md "Media targets",
# "Passphrases"): `kikan scan` and `kikan probe` on disk images that
# tests/fixtures/make-media.py makes at TEST time in each test's temp dir
# (they need root, FUSE, loop devices and cryptsetup, and take space):
# FAT16/FAT32/exFAT/NTFS/ext4, MBR and GPT disks, LUKS1/LUKS2 (encrypted
# with tests/tools/xts-encrypt), BitLocker and Core Storage headers, random
# data, hostile images, and 20,000 files in one image.
#
# Same rules as integration.cmake: one ctest per Python test (run.py fails
# on a skip), label integration, a fresh KIKAN_HOME each; the IDs are added
# to integration.all_registered through KIKAN_IT_REGISTERED_ELSEWHERE.

# aes-xts-plain64 with a known volume key, as dm-crypt writes a LUKS payload
# (the IV convention is documented in the source).
add_executable(xts-encrypt ${CMAKE_CURRENT_LIST_DIR}/../tools/xts-encrypt.c)
target_link_libraries(xts-encrypt PRIVATE kikan_warnings PkgConfig::CRYPTO)

set(KIKAN_IT_MEDIA_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_MEDIA_TESTS
  test_media.MediaPlain.test_fat16
  test_media.MediaPlain.test_fat32
  test_media.MediaPlain.test_exfat
  test_media.MediaPlain.test_ntfs
  test_media.MediaPlain.test_ext4
  test_media.MediaPlain.test_mbr_two_partitions
  test_media.MediaPlain.test_gpt_two_partitions
  test_media.MediaPlain.test_block_device
  test_media.MediaEncrypted.test_luks1_locked
  test_media.MediaEncrypted.test_luks2_locked
  test_media.MediaEncrypted.test_bitlocker_header
  test_media.MediaEncrypted.test_filevault2_header
  test_media.MediaEncrypted.test_random_image
  test_media.MediaEncrypted.test_random_block_device
  test_media.MediaEncrypted.test_random_partition
  test_media.MediaEncrypted.test_luks1_passphrase
  test_media.MediaEncrypted.test_luks2_passphrase
  test_media.MediaEncrypted.test_luks2_clean_passphrase
  test_media.MediaEncrypted.test_luks_wrong_passphrase
  test_media.MediaEncrypted.test_ask_passphrase
  test_media.MediaEncrypted.test_ask_passphrase_three_wrong
  test_media.MediaHostile.test_truncated_image
  test_media.MediaHostile.test_mbr_past_end
  test_media.MediaHostile.test_fat_cyclic_chain
  test_media.MediaHostile.test_fat_directory_loop
  test_media.MediaHostile.test_zero_length_image
  test_media.MediaHostile.test_sparse_4g_image
  test_media.MediaHostile.test_empty_partition_table
  test_media.MediaHidden.test_hybrid_mbr
  test_media.MediaHidden.test_unpartitioned_filesystem
  test_media.MediaHidden.test_gpt_backup_disagrees
  test_media.MediaHidden.test_superfloppy_with_mbr
  test_media.MediaHidden.test_ntfs_alternate_streams
  test_media.MediaHidden.test_symlinks_on_medium
  test_media.MediaHidden.test_ntfs_log_to_replay
  test_media.MediaHidden.test_ext4_journal_to_replay
  test_media.MediaHidden.test_nested_disk_images
  test_media.MediaHidden.test_iso_multi_extent_file
  test_media.MediaHidden.test_iso_rock_ridge_only
  test_media.MediaHidden.test_iso_joliet_only
  test_media.MediaHidden.test_iso_both_trees_clean
  test_media.MediaReserved.test_gpt_msr_empty
  test_media.MediaReserved.test_gpt_msr_random
  test_media.MediaReserved.test_gpt_msr_part
  test_media.MediaReserved.test_gpt_msr_fat_without_signature
  test_media.MediaScale.test_20000_files)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_MEDIA_TESTS})

if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_MEDIA_TESTS)
    # test_media.MediaPlain.test_fat16 -> integration.media.fat16
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_MEDIA_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_MEDIA_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 900
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_CLAMAV_TESTFILES=${KIKAN_CLAMAV_TESTFILES_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
  # 20,000 files: longer, and alone (it is also what bench/media.sh measures).
  set_tests_properties(integration.media.20000_files PROPERTIES TIMEOUT 1800 RUN_SERIAL TRUE)
endif()
