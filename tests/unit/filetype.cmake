# Unit tests of content-based file classification and name flags
# (scanner/filetype.c; issue #4 item 2, JNSA-2.4, Admin B-3, KR-17).
# Needs only kikan_scanner_core.  Real samples come from the system
# (NSIS stubs and plugins, /bin/ls, clamav-testfiles), from the shared test
# data next to the repository (ClamAV ISOs, util-linux images), and from
# tools run by the test in a temp dir: makensis, wixl, python3 (zipfile),
# sfdisk, mkfs.vfat, mkfs.ntfs, mkfs.exfat, mke2fs, xz.  A missing tool or
# sample fails the test.
if(NOT DEFINED KIKAN_SHARED_TESTDATA_DIR)
  set(KIKAN_SHARED_TESTDATA_DIR "${CMAKE_SOURCE_DIR}/../shared/testdata")
endif()
if(NOT DEFINED KIKAN_CLAMAV_TESTFILES_DIR)
  set(KIKAN_CLAMAV_TESTFILES_DIR /usr/share/clamav-testfiles)
endif()
add_executable(test-scanner-filetype ${CMAKE_CURRENT_LIST_DIR}/test-scanner-filetype.c)
target_link_libraries(test-scanner-filetype PRIVATE kikan_scanner_core PkgConfig::CMOCKA)
target_compile_definitions(test-scanner-filetype PRIVATE
  KIKAN_TEST_CLAMAV_TESTFILES="${KIKAN_CLAMAV_TESTFILES_DIR}"
  KIKAN_TEST_SHARED_TESTDATA="${KIKAN_SHARED_TESTDATA_DIR}")
add_test(NAME unit-scanner-filetype COMMAND test-scanner-filetype)
# mkfs.* and sfdisk live in /usr/sbin, not on every user's PATH.
set_tests_properties(unit-scanner-filetype PROPERTIES LABELS unit TIMEOUT 300
  ENVIRONMENT "PATH=/usr/sbin:/sbin:$ENV{PATH}")
