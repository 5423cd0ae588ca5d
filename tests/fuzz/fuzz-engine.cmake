# Fuzz harness for everything the engine parses from a medium: libclamav's
# parsers as driven by Kikan, the fallback extractors (libarchive, libunarr)
# and the cross-check that compares their member lists.
#   fuzz-engine             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang)
#   fuzz-engine-standalone  the same harness over the seed corpus, in every build
set(_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/engine)
add_executable(fuzz-engine-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-engine.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-engine-standalone PRIVATE KIKAN_FUZZ_STANDALONE
  KIKAN_FUZZ_SIGNATURES="${CMAKE_SOURCE_DIR}/signatures")
target_link_libraries(fuzz-engine-standalone PRIVATE kikan_scanner)
add_test(NAME fuzz-engine-seeds
  COMMAND fuzz-engine-standalone ${_seeds} ${CMAKE_SOURCE_DIR}/../shared/testdata/clamav
          /usr/share/clamav-testfiles)
set_tests_properties(fuzz-engine-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  add_executable(fuzz-engine ${CMAKE_CURRENT_LIST_DIR}/fuzz-engine.c)
  target_compile_definitions(fuzz-engine PRIVATE
    KIKAN_FUZZ_SIGNATURES="${CMAKE_SOURCE_DIR}/signatures")
  target_compile_options(fuzz-engine PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz-engine PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz-engine PRIVATE kikan_scanner)
endif()
