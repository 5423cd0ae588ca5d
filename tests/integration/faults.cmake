# Fault injection (issue #12 item 4; docs/robustness.md): read errors in
# the middle of a file and of a directory, a medium pulled out mid-scan,
# the disk full while a check-in is written, a damaged store and a broken
# audit chain at start-up, the clock set back between check-ins.  Each test
# asserts the fail-closed outcome (HOLD with a reason, or service refused
# with a message that says what to do); KR-10, KR-36, KR-37.
#
# Same rules as integration.cmake: one ctest per Python test (run.py fails
# on a skip), label integration, a fresh KIKAN_HOME each; the IDs are added
# to integration.all_registered through KIKAN_IT_REGISTERED_ELSEWHERE.

# A FUSE file system whose reads fail where the test says (EIO in a byte
# range of an image, a folder with a failing file and directory, a medium
# gone after N bytes).  Needs /dev/fuse and root, as fickle-fs.
pkg_check_modules(FUSE3 REQUIRED IMPORTED_TARGET fuse3)
add_executable(fault-fs ${CMAKE_CURRENT_LIST_DIR}/../tools/fault-fs.c)
target_link_libraries(fault-fs PRIVATE kikan_warnings PkgConfig::FUSE3)

# An LD_PRELOAD library that fills the disk under one folder (ENOSPC after
# a byte budget).  Not linked with kikan_warnings: that target links
# executables (-pie) and, under KIKAN_SANITIZE, would put a second ASan
# runtime into the process it is preloaded into.  Same warnings, though.
add_library(enospc-preload MODULE ${CMAKE_CURRENT_LIST_DIR}/../tools/enospc-preload.c)
target_compile_options(enospc-preload PRIVATE -Wall -Wextra -Wformat=2 -Wshadow
  -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wno-unused-parameter)
if(KIKAN_WERROR)
  target_compile_options(enospc-preload PRIVATE -Werror)
endif()
target_link_libraries(enospc-preload PRIVATE ${CMAKE_DL_LIBS})

set(KIKAN_IT_FAULTS_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_FAULTS_TESTS
  test_faults.ReadErrors.test_folder_mid_file_and_mid_directory
  test_faults.ReadErrors.test_image_mid_file
  test_faults.ReadErrors.test_image_mid_directory
  test_faults.ReadErrors.test_checkin_read_error_holds
  test_faults.Removed.test_image_gone_mid_scan
  test_faults.Removed.test_checkin_medium_gone_mid_scan
  test_faults.DiskFull.test_disk_full_while_a_session_is_written
  test_faults.StartUp.test_damaged_store_refused_untouched
  test_faults.StartUp.test_broken_audit_chain_refused_untouched
  test_faults.Clock.test_clock_set_back_between_checkins)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_FAULTS_TESTS})

if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_FAULTS_TESTS)
    # test_faults.ReadErrors.test_image_mid_file -> integration.faults.image_mid_file
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_FAULTS_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_FAULTS_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 900
      # The preloaded ENOSPC library comes before libasan in an ASan build,
      # which ASan refuses unless told that this is meant (as usb.cmake).
      ENVIRONMENT_MODIFICATION "ASAN_OPTIONS=string_append::verify_asan_link_order=0:"
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_CLAMAV_TESTFILES=${KIKAN_CLAMAV_TESTFILES_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;KIKAN_IT_FAULT_FS=$<TARGET_FILE:fault-fs>;KIKAN_IT_ENOSPC_PRELOAD=$<TARGET_FILE:enospc-preload>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
