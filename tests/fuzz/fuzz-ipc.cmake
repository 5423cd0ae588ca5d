# Fuzz harness for the IPC decoder (scanner/ipc.c).
#   fuzz-ipc             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                        fuzz-ipc -max_len=65536 <corpus dir>
#   fuzz-ipc-standalone  the same harness with a plain main(), in every build:
#                        ctest writes a seed corpus (one frame of every message
#                        type, truncated and wrong-version copies) into the
#                        build dir and runs the harness over it and every prefix.
set(_ipc_seeds ${CMAKE_CURRENT_BINARY_DIR}/fuzz-ipc-seeds)
add_executable(fuzz-ipc-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-ipc.c)
target_compile_definitions(fuzz-ipc-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_include_directories(fuzz-ipc-standalone PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
target_link_libraries(fuzz-ipc-standalone PRIVATE kikan_scanner_core)
add_test(NAME fuzz-ipc-seeds-write COMMAND fuzz-ipc-standalone --write-seeds ${_ipc_seeds})
set_tests_properties(fuzz-ipc-seeds-write PROPERTIES LABELS fuzz FIXTURES_SETUP fuzz_ipc_seeds)
add_test(NAME fuzz-ipc-seeds COMMAND fuzz-ipc-standalone ${_ipc_seeds})
set_tests_properties(fuzz-ipc-seeds PROPERTIES LABELS fuzz TIMEOUT 300
  FIXTURES_REQUIRED fuzz_ipc_seeds)
if(KIKAN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "KIKAN_FUZZ needs clang (libFuzzer): configure with CC=clang")
  endif()
  # The codec itself is compiled into the harness so that libFuzzer's
  # coverage instrumentation sees it; the rest comes from the library.
  add_executable(fuzz-ipc ${CMAKE_CURRENT_LIST_DIR}/fuzz-ipc.c ${CMAKE_SOURCE_DIR}/scanner/ipc.c)
  target_include_directories(fuzz-ipc PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
  target_compile_options(fuzz-ipc PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-ipc PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-ipc PRIVATE kikan_scanner_core)
endif()
