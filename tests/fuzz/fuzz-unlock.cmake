# Fuzz harness for user-space unlocking (scanner/unlock.c): arbitrary bytes
# as a LUKS1, LUKS2, FileVault 2 or BitLocker volume (the first byte picks
# the kind), through libcryptsetup's and libbde's parsers and the header
# copy.
#   fuzz-unlock             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang)
#   fuzz-unlock-standalone  the same harness over the seed corpus, in every build
# Seeds (each < 64 KiB, first byte = kind): tests/fuzz/make-unlock-seeds.sh.
set(_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/unlock)
add_executable(fuzz-unlock-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-unlock.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-unlock-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_include_directories(fuzz-unlock-standalone PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
target_link_libraries(fuzz-unlock-standalone PRIVATE kikan_scanner)
add_test(NAME fuzz-unlock-seeds COMMAND fuzz-unlock-standalone ${_seeds})
set_tests_properties(fuzz-unlock-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  add_executable(fuzz-unlock ${CMAKE_CURRENT_LIST_DIR}/fuzz-unlock.c)
  target_include_directories(fuzz-unlock PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
  target_compile_options(fuzz-unlock PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz-unlock PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz-unlock PRIVATE kikan_scanner)
endif()
