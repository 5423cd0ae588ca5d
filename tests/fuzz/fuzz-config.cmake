# Fuzz harness for kikan.conf (kiosk/common/config.c; issue #12 item 1).
#   fuzz-config             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                           fuzz-config -max_len=4096 tests/fuzz/corpus/config
#   fuzz-config-standalone  the same harness over the seeds (and every eighth of
#                           each), in every build
# Seeds: tests/fuzz/corpus/config/ (the example of docs/cli.md, boundaries,
# a key with a right-to-left override, a value with a terminal escape).
set(_config_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/config)
add_executable(fuzz-config-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-config.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-config-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-config-standalone PRIVATE kikan_kiosk)
add_test(NAME fuzz-config-seeds COMMAND fuzz-config-standalone ${_config_seeds})
set_tests_properties(fuzz-config-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  add_executable(fuzz-config ${CMAKE_CURRENT_LIST_DIR}/fuzz-config.c)
  target_compile_options(fuzz-config PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz-config PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz-config PRIVATE kikan_kiosk)
endif()
