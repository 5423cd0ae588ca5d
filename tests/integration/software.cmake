# Integration tests of software and system posture (issue #4; docs/json.md
# "Software and updates", docs/policy.md): `kikan software` and `kikan scan`
# on registry hives (tests/fixtures/make-hive.py), a Windows-like NTFS disk
# and a FAT32 USB stick with programs on it (tests/fixtures/make-software.py,
# at TEST time, as root: FUSE), Debian trees, and policies written by each
# test.  JNSA-2.2, JNSA-2.4, Admin B-3, KR-16, KR-17, KR-19, KR-20.
#
# Same rules as integration.cmake: one ctest per Python test (run.py fails
# on a skip), label integration, a fresh KIKAN_HOME each; the IDs are added
# to integration.all_registered through KIKAN_IT_REGISTERED_ELSEWHERE.

set(KIKAN_IT_SOFTWARE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_SOFTWARE_TESTS
  test_software.SoftwareHive.test_os_facts_and_programs
  test_software.SoftwareHive.test_forbidden_program
  test_software.SoftwareHive.test_os_patch_stale
  test_software.SoftwareHive.test_av_stale
  test_software.SoftwareHive.test_av_disabled
  test_software.SoftwareHive.test_no_antivirus_keys
  test_software.SoftwareWindowsDisk.test_ntfs_software
  test_software.SoftwareWindowsDisk.test_ntfs_scan
  test_software.SoftwareUsb.test_usb_software
  test_software.SoftwareUsb.test_usb_scan
  test_software.SoftwareUsb.test_usb_human_output_escapes_rlo
  test_software.SoftwareUsb.test_usb_portable_approved_by_sha256
  test_software.SoftwareExceptions.test_exception_expired_yesterday
  test_software.SoftwareExceptions.test_exception_valid_until_tomorrow
  test_software.SoftwareExceptions.test_exception_valid_today
  test_software.SoftwareExceptions.test_exception_beats_forbid_until_it_expires
  test_software.SoftwarePolicy.test_malformed_policy_names_line
  test_software.SoftwarePolicy.test_malformed_policy_unknown_key
  test_software.SoftwarePolicy.test_kikan_policy_missing_is_an_error
  test_software.SoftwarePolicy.test_no_default_policy
  test_software.SoftwarePolicy.test_no_default_policy_nothing_to_judge
  test_software.SoftwareBadInput.test_truncated_hive
  test_software.SoftwareBadInput.test_random_regf
  test_software.SoftwareBadInput.test_hostile_hive
  test_software.SoftwareBadInput.test_truncated_dpkg_status
  test_software.SoftwareBadInput.test_dpkg_status
  test_software.SoftwareBadInput.test_malware_exit_beats_software
  test_software.SoftwareRealHives.test_ntuser_with_winscp
  test_software.SoftwareRealHives.test_ntuser_software_partial)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_SOFTWARE_TESTS})

if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_SOFTWARE_TESTS)
    # test_software.SoftwareHive.test_av_stale -> integration.software.av_stale
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_SOFTWARE_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_SOFTWARE_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 900
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_CLAMAV_TESTFILES=${KIKAN_CLAMAV_TESTFILES_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
