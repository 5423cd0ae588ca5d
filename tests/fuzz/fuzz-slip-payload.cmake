# Fuzz harness for the slip's code (kiosk/slip/slip-payload.c: base45,
# zlib, CBOR through libcbor's streaming decoder).
#   fuzz-slip-payload             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                                 fuzz-slip-payload -max_len=8192 tests/fuzz/corpus/slip-payload
#   fuzz-slip-payload-standalone  the same harness over the seeds (and prefixes), in
#                                 every build
# Seeds: a real signed 3-item slip as text, outer CBOR and signed part, and
# a signed part with an unknown format version.
set(_slip_payload_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/slip-payload)
add_executable(fuzz-slip-payload-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-slip-payload.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-slip-payload-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-slip-payload-standalone PRIVATE kikan_kiosk_slip)
add_test(NAME fuzz-slip-payload-seeds
  COMMAND fuzz-slip-payload-standalone ${_slip_payload_seeds})
set_tests_properties(fuzz-slip-payload-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  # slip-payload.c is compiled into the harness so that libFuzzer's coverage
  # instrumentation sees it; the rest comes from the library.
  add_executable(fuzz-slip-payload ${CMAKE_CURRENT_LIST_DIR}/fuzz-slip-payload.c
    ${CMAKE_SOURCE_DIR}/kiosk/slip/slip-payload.c)
  target_compile_definitions(fuzz-slip-payload PRIVATE G_LOG_DOMAIN="kikan")
  target_compile_options(fuzz-slip-payload PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-slip-payload PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-slip-payload PRIVATE kikan_kiosk_slip)
endif()
