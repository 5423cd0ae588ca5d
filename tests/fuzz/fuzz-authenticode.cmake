# Fuzz harness for Authenticode verification (scanner/authenticode.c): PE
# headers, WIN_CERTIFICATE, PKCS#7 SignedData and SpcIndirectDataContent
# from arbitrary bytes.
#   fuzz-authenticode             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                                 fuzz-authenticode -max_len=65536 -timeout=20 <corpus dir>
#   fuzz-authenticode-standalone  the same harness over the seed corpus, in every build
#
# Seeds: tests/fuzz/corpus/authenticode/: small DLLs from the nsis package
# signed by osslsigncode with a throw-away key (tests/fixtures/make-signed-pe.sh),
# PE32 and PE32+, RSA and EC, and tampered variants of them.
set(_authenticode_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/authenticode)
add_executable(fuzz-authenticode-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-authenticode.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-authenticode-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-authenticode-standalone PRIVATE kikan_scanner)
add_test(NAME fuzz-authenticode-seeds COMMAND fuzz-authenticode-standalone ${_authenticode_seeds})
set_tests_properties(fuzz-authenticode-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  add_executable(fuzz-authenticode ${CMAKE_CURRENT_LIST_DIR}/fuzz-authenticode.c)
  target_compile_options(fuzz-authenticode PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz-authenticode PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz-authenticode PRIVATE kikan_scanner)
endif()
