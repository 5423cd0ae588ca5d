# Unit tests of the engine (scanner/engine.c, scanner/extract.c) with real
# libclamav and real samples.
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
add_executable(test-scanner-engine ${CMAKE_CURRENT_LIST_DIR}/test-scanner-engine.c)
target_link_libraries(test-scanner-engine PRIVATE kikan_scanner PkgConfig::CMOCKA PkgConfig::ZLIB)
target_compile_definitions(test-scanner-engine PRIVATE
  KIKAN_TEST_SIGNATURES="${CMAKE_SOURCE_DIR}/signatures"
  KIKAN_TEST_SHARED="${CMAKE_SOURCE_DIR}/../shared/testdata"
  KIKAN_TEST_CLAMAV_TESTFILES="/usr/share/clamav-testfiles")
add_test(NAME unit-scanner-engine COMMAND test-scanner-engine)
set_tests_properties(unit-scanner-engine PROPERTIES LABELS unit TIMEOUT 300)
