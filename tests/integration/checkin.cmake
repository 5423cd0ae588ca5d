# Integration tests of the check-in (issue #9; docs/checkin.md): `kikan
# checkin --script` end to end on media made at test time, the crash
# (kill-point) loop and IT actions.  Same rules as integration.cmake: one
# ctest per Python test, label integration, a fresh KIKAN_HOME each.
set(KIKAN_IT_CHECKIN_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_CHECKIN_TESTS
  test_checkin.CheckinScripted.test_eicar_unencrypted_and_lost
  test_checkin.CheckinScripted.test_all_present_encrypted_clean_is_cleared
  test_checkin.CheckinScripted.test_stale_signatures_hold
  test_checkin.CheckinScripted.test_conditions_printed
  test_checkin.CheckinScripted.test_q8_media_scanned_here
  test_checkin.CheckinCrash.test_kill_points
  test_checkin.CheckinIt.test_override_keeps_original
  test_checkin.CheckinVisit.test_visit_ends_before_inspection
  test_checkin.CheckinBadScript.test_bad_scripts_record_nothing
  test_checkin.CheckinBadScript.test_serial_two_assets_share_is_refused)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_CHECKIN_TESTS})

if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_CHECKIN_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_CHECKIN_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_CHECKIN_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 900
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_CLAMAV_TESTFILES=${KIKAN_CLAMAV_TESTFILES_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()

# With USB sticks simulated by umockdev: under umockdev-wrapper, with the
# system Python (gi.repository.UMockdev), as tests/integration/usb.cmake.
set(KIKAN_IT_CHECKIN_USB_TESTS
  test_checkin_usb.CheckinUsb.test_registered_stick_matched_by_serial
  test_checkin_usb.CheckinUsb.test_unknown_stick_held
  test_checkin_usb.CheckinUsb.test_storage_and_keyboard_quarantined
  test_checkin_usb.CheckinUsb.test_removed_mid_inspection)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_CHECKIN_USB_TESTS})
find_program(KIKAN_UMOCKDEV_WRAPPER umockdev-wrapper REQUIRED)
find_program(KIKAN_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_CHECKIN_USB_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${KIKAN_UMOCKDEV_WRAPPER} ${KIKAN_SYSTEM_PYTHON3} ${KIKAN_IT_CHECKIN_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_CHECKIN_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 600
      # Under ASan the preloaded umockdev library comes before libasan, which
      # ASan refuses unless told that this is meant (as usb.cmake).
      ENVIRONMENT_MODIFICATION "ASAN_OPTIONS=string_append::verify_asan_link_order=0:"
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
