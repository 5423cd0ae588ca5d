# Unit tests of the test-seam accessor (include/kikan/test-seam.h,
# scanner/test-seam.c): which programs honour KIKAN_SCAND, KIKAN_FAKE_NOW
# and the other test seams.  The installed side is integration.seams.*.
add_executable(test-scanner-test-seam ${CMAKE_CURRENT_LIST_DIR}/test-scanner-test-seam.c)
target_link_libraries(test-scanner-test-seam PRIVATE kikan_scanner_core PkgConfig::CMOCKA)
add_test(NAME unit-scanner-test-seam COMMAND test-scanner-test-seam)
set_tests_properties(unit-scanner-test-seam PROPERTIES LABELS unit TIMEOUT 60)
