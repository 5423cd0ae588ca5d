# Fuzz harness for the audit bundle reader (kiosk/audit/bundle.c, libarchive):
# read from memory and checked without keys, no store.
#   fuzz-audit-bundle             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                                 fuzz-audit-bundle -max_len=65536 tests/fuzz/corpus/audit-bundle
#   fuzz-audit-bundle-standalone  the same harness over the seeds (and every prefix
#                                 of each), in every build
# Seeds: tests/fuzz/corpus/audit-bundle/ (bundles written by `kikan audit
# export --bundle`, as tar and tar.gz, and hostile variants).
set(_audit_bundle_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/audit-bundle)
add_executable(fuzz-audit-bundle-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-audit-bundle.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-audit-bundle-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-audit-bundle-standalone PRIVATE kikan_kiosk_audit)
add_test(NAME fuzz-audit-bundle-seeds COMMAND fuzz-audit-bundle-standalone ${_audit_bundle_seeds})
set_tests_properties(fuzz-audit-bundle-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "KIKAN_FUZZ needs clang (libFuzzer): configure with CC=clang")
  endif()
  # bundle.c is compiled into the harness so that libFuzzer's coverage
  # instrumentation sees it; the rest comes from the library.
  add_executable(fuzz-audit-bundle ${CMAKE_CURRENT_LIST_DIR}/fuzz-audit-bundle.c
    ${CMAKE_SOURCE_DIR}/kiosk/audit/bundle.c)
  target_compile_definitions(fuzz-audit-bundle PRIVATE G_LOG_DOMAIN="kikan")
  target_compile_options(fuzz-audit-bundle PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-audit-bundle PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-audit-bundle PRIVATE kikan_kiosk_audit)
endif()
