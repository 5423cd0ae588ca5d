# Fuzz harness for the SHA256SUMS reader of the network lists
# (kiosk/netlist/netlist-verify.c; KR-29).
#   fuzz-netlist-sums             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                           fuzz-netlist-sums -max_len=65536 tests/fuzz/corpus/netlist-sums
#   fuzz-netlist-sums-standalone  the same harness over the seeds (and every prefix
#                           of each), in every build
# Seeds: tests/fuzz/corpus/netlist-sums/.
set(_netlist_sums_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/netlist-sums)
add_executable(fuzz-netlist-sums-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-netlist-sums.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-netlist-sums-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-netlist-sums-standalone PRIVATE kikan_kiosk_netlist)
add_test(NAME fuzz-netlist-sums-seeds
  COMMAND fuzz-netlist-sums-standalone ${_netlist_sums_seeds})
set_tests_properties(fuzz-netlist-sums-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "KIKAN_FUZZ needs clang (libFuzzer): configure with CC=clang")
  endif()
  # netlist-verify.c is compiled into the harness so that libFuzzer's coverage
  # instrumentation sees it; the rest comes from the library.
  add_executable(fuzz-netlist-sums ${CMAKE_CURRENT_LIST_DIR}/fuzz-netlist-sums.c
    ${CMAKE_SOURCE_DIR}/kiosk/netlist/netlist-verify.c)
  target_compile_definitions(fuzz-netlist-sums PRIVATE G_LOG_DOMAIN="kikan")
  target_compile_options(fuzz-netlist-sums PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-netlist-sums PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-netlist-sums PRIVATE kikan_kiosk_netlist)
endif()
