# Fuzz harness for content classification and name flags
# (scanner/filetype.c; issue #4 item 2).
#   fuzz-filetype             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                             fuzz-filetype -max_len=70000 <corpus dir>
#   fuzz-filetype-standalone  the same harness over the seed corpus, in every build
#
# Seeds: tests/fuzz/corpus/filetype/ (byte 0 picks a name, the rest is
# content: tiny PE/DLL/installer, MSI, ELF, Mach-O, Java class, APK, ZIP,
# LNK, DMG, disk-image headers, scripts; each under 20 KiB).
set(_filetype_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/filetype)
add_executable(fuzz-filetype-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-filetype.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-filetype-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-filetype-standalone PRIVATE kikan_scanner_core)
add_test(NAME fuzz-filetype-seeds COMMAND fuzz-filetype-standalone ${_filetype_seeds})
set_tests_properties(fuzz-filetype-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  add_executable(fuzz-filetype ${CMAKE_CURRENT_LIST_DIR}/fuzz-filetype.c)
  target_compile_options(fuzz-filetype PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz-filetype PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz-filetype PRIVATE kikan_scanner_core)
endif()
