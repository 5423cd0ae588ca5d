# Fuzz harness for the software policy (kiosk/software/policy.c, inih) and the
# posture evaluation it drives (kiosk/software/posture.c).
#   fuzz-policy             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                           fuzz-policy -max_len=4096 tests/fuzz/corpus/policy
#   fuzz-policy-standalone  the same harness over the seeds (and every prefix
#                           of each), in every build
# Seeds: tests/fuzz/corpus/policy/ plus data/policy.conf.example.
set(_policy_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/policy)
add_executable(fuzz-policy-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-policy.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-policy-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-policy-standalone PRIVATE kikan_kiosk)
add_test(NAME fuzz-policy-seeds
  COMMAND fuzz-policy-standalone ${_policy_seeds} ${CMAKE_SOURCE_DIR}/data/policy.conf.example)
set_tests_properties(fuzz-policy-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "KIKAN_FUZZ needs clang (libFuzzer): configure with CC=clang")
  endif()
  # policy.c and posture.c are compiled into the harness so that libFuzzer's
  # coverage instrumentation sees them; the rest comes from the library.
  add_executable(fuzz-policy ${CMAKE_CURRENT_LIST_DIR}/fuzz-policy.c
    ${CMAKE_SOURCE_DIR}/kiosk/software/policy.c ${CMAKE_SOURCE_DIR}/kiosk/software/posture.c)
  target_compile_definitions(fuzz-policy PRIVATE G_LOG_DOMAIN="kikan")
  target_compile_options(fuzz-policy PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-policy PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-policy PRIVATE kikan_kiosk)
endif()
