# Fuzz harness for the ledger CSV reader (kiosk/ledger/ledger-csv.c, libcsv):
# parse and validate into memory, no store.
#   fuzz-ledger             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                           fuzz-ledger -max_len=65536 tests/fuzz/corpus/ledger
#   fuzz-ledger-standalone  the same harness over the seeds (and every prefix
#                           of each), in every build
# Seeds: tests/fuzz/corpus/ledger/ plus data/ledger.example.csv.
set(_ledger_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/ledger)
add_executable(fuzz-ledger-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-ledger.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-ledger-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-ledger-standalone PRIVATE kikan_kiosk_ledger)
add_test(NAME fuzz-ledger-seeds
  COMMAND fuzz-ledger-standalone ${_ledger_seeds} ${CMAKE_SOURCE_DIR}/data/ledger.example.csv)
set_tests_properties(fuzz-ledger-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "KIKAN_FUZZ needs clang (libFuzzer): configure with CC=clang")
  endif()
  # ledger-csv.c is compiled into the harness so that libFuzzer's coverage
  # instrumentation sees it; the rest comes from the library.
  add_executable(fuzz-ledger ${CMAKE_CURRENT_LIST_DIR}/fuzz-ledger.c
    ${CMAKE_SOURCE_DIR}/kiosk/ledger/ledger-csv.c)
  target_compile_definitions(fuzz-ledger PRIVATE G_LOG_DOMAIN="kikan")
  target_compile_options(fuzz-ledger PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-ledger PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-ledger PRIVATE kikan_kiosk_ledger)
endif()
