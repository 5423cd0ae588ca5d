# Unit tests of user-space unlocking (scanner/unlock.c): LUKS1/LUKS2 volumes
# made at test time by cryptsetup (tests/fixtures/make-luks.sh), the real
# BitLocker and FileVault 2 volumes of ../shared/testdata/encrypted.
# Missing shared test data fails the test; it is never skipped.
pkg_check_modules(CRYPTO_TEST REQUIRED IMPORTED_TARGET libcrypto)
add_executable(test-scanner-unlock ${CMAKE_CURRENT_LIST_DIR}/test-scanner-unlock.c)
target_include_directories(test-scanner-unlock PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
target_link_libraries(test-scanner-unlock PRIVATE kikan_scanner PkgConfig::CMOCKA
  PkgConfig::CRYPTO_TEST Threads::Threads)
target_compile_definitions(test-scanner-unlock PRIVATE
  KIKAN_TEST_SHARED="${CMAKE_SOURCE_DIR}/../shared/testdata"
  KIKAN_TEST_MAKE_LUKS="${CMAKE_SOURCE_DIR}/tests/fixtures/make-luks.sh")
add_test(NAME unit-scanner-unlock COMMAND test-scanner-unlock)
set_tests_properties(unit-scanner-unlock PROPERTIES LABELS unit TIMEOUT 1500)
# The same unlocking inside the worker's real sandbox (seccomp allow-list and
# Landlock of scanner/sandbox-seccomp.c), after kikan_unlock_prime() as the
# daemon calls it before forking.
add_test(NAME unit-scanner-unlock-sandbox COMMAND test-scanner-unlock sandbox)
set_tests_properties(unit-scanner-unlock-sandbox PROPERTIES LABELS unit TIMEOUT 300)
