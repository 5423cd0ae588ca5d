# Fuzz harness for the installed-software and OS posture parsers
# (scanner/inventory.c): registry hives through libhivex, dpkg status,
# os-release, Info.plist / SystemVersion.plist through libplist.
#   fuzz-inventory             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                              fuzz-inventory -max_len=262144 -timeout=20 <corpus dir>
#   fuzz-inventory-standalone  the same harness over the seed corpus, in every build
#
# Seeds: tests/fuzz/corpus/inventory/ (byte 0 picks the parser, see
# fuzz-inventory.c): a SOFTWARE and an NTUSER.DAT hive made by
# tests/fixtures/make-hive.py, a dpkg status excerpt, os-release, and
# XML and binary property lists made with Python's plistlib.
set(_inventory_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/inventory)
add_executable(fuzz-inventory-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-inventory.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-inventory-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-inventory-standalone PRIVATE kikan_scanner)
add_test(NAME fuzz-inventory-seeds COMMAND fuzz-inventory-standalone ${_inventory_seeds})
set_tests_properties(fuzz-inventory-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "KIKAN_FUZZ needs clang (libFuzzer): configure with CC=clang")
  endif()
  # The parsers are compiled into the harness so that libFuzzer's coverage
  # instrumentation sees them; inventory.c needs nothing else of
  # kikan_scanner, only libhivex, libplist and the clear functions in
  # inventory-core.c.
  add_executable(fuzz-inventory ${CMAKE_CURRENT_LIST_DIR}/fuzz-inventory.c
                 ${CMAKE_SOURCE_DIR}/scanner/inventory.c
                 ${CMAKE_SOURCE_DIR}/scanner/inventory-core.c)
  target_include_directories(fuzz-inventory PRIVATE ${CMAKE_SOURCE_DIR}/include
                             ${CMAKE_SOURCE_DIR}/scanner)
  target_compile_options(fuzz-inventory PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-inventory PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-inventory PRIVATE kikan_warnings PkgConfig::HIVEX PkgConfig::PLIST)
endif()
