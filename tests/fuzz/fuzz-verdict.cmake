# Fuzz harness for what the verdict engine reads back: a verdict stored as
# JSON (kiosk/checkin/verdict.c), which `kikan it` acts on, plus answers to
# the declaration and reason templates (declaration.c, reasons.c).
#   fuzz-verdict             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                            fuzz-verdict -max_len=4096 tests/fuzz/corpus/verdict
#   fuzz-verdict-standalone  the same harness over the seeds (and every prefix
#                            of each), in every build
set(_verdict_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/verdict)
add_executable(fuzz-verdict-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-verdict.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-verdict-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-verdict-standalone PRIVATE kikan_kiosk_checkin)
add_test(NAME fuzz-verdict-seeds COMMAND fuzz-verdict-standalone ${_verdict_seeds})
set_tests_properties(fuzz-verdict-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "KIKAN_FUZZ needs clang (libFuzzer): configure with CC=clang")
  endif()
  add_executable(fuzz-verdict ${CMAKE_CURRENT_LIST_DIR}/fuzz-verdict.c
    ${CMAKE_SOURCE_DIR}/kiosk/checkin/verdict.c ${CMAKE_SOURCE_DIR}/kiosk/checkin/reasons.c
    ${CMAKE_SOURCE_DIR}/kiosk/checkin/declaration.c)
  target_compile_definitions(fuzz-verdict PRIVATE G_LOG_DOMAIN="kikan")
  target_compile_options(fuzz-verdict PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-verdict PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-verdict PRIVATE kikan_kiosk_checkin)
endif()
