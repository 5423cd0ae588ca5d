# Fuzz harness for the audit chain verifier (kiosk/audit/verifier.c):
# records and seals as tab-separated lines, with and without the keys.
#   fuzz-audit-verifier             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                                   fuzz-audit-verifier tests/fuzz/corpus/audit-verifier
#   fuzz-audit-verifier-standalone  the same harness over the seeds (and prefixes), in
#                                   every build
# Seeds: the first records and seals of the demo check-in's sealed chain
# (scripts/demo.sh), with and without the keys.
set(_audit_verifier_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/audit-verifier)
add_executable(fuzz-audit-verifier-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-audit-verifier.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-audit-verifier-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-audit-verifier-standalone PRIVATE kikan_kiosk_audit)
add_test(NAME fuzz-audit-verifier-seeds
  COMMAND fuzz-audit-verifier-standalone ${_audit_verifier_seeds})
set_tests_properties(fuzz-audit-verifier-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  # verifier.c is compiled into the harness so that libFuzzer's coverage
  # instrumentation sees it; the rest comes from the library.
  add_executable(fuzz-audit-verifier ${CMAKE_CURRENT_LIST_DIR}/fuzz-audit-verifier.c
    ${CMAKE_SOURCE_DIR}/kiosk/audit/verifier.c)
  target_compile_definitions(fuzz-audit-verifier PRIVATE G_LOG_DOMAIN="kikan")
  target_compile_options(fuzz-audit-verifier PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-audit-verifier PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-audit-verifier PRIVATE kikan_kiosk_audit)
endif()
