# Unit tests of Authenticode verification (scanner/authenticode.c; issue #4,
# Admin B-3): PE32 and PE32+ DLLs signed at test time by osslsigncode with a
# throw-away CA (tests/fixtures/make-signed-pe.sh, run by the test itself in
# a temp dir), then tampered with byte by byte.  A missing tool (openssl,
# osslsigncode, the nsis DLLs) fails the test.
add_executable(test-scanner-authenticode ${CMAKE_CURRENT_LIST_DIR}/test-scanner-authenticode.c)
target_include_directories(test-scanner-authenticode PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
target_link_libraries(test-scanner-authenticode PRIVATE kikan_scanner PkgConfig::CMOCKA)
target_compile_definitions(test-scanner-authenticode PRIVATE
  KIKAN_TEST_MAKE_SIGNED_PE="${CMAKE_SOURCE_DIR}/tests/fixtures/make-signed-pe.sh")
add_test(NAME unit-scanner-authenticode COMMAND test-scanner-authenticode)
set_tests_properties(unit-scanner-authenticode PROPERTIES LABELS unit TIMEOUT 300)
