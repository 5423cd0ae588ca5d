# Fuzz harness for the archive cross-check's parsers (scanner/extract.c:
# libarchive and libunarr along each route; scanner/archive-sniff.c; issue
# #12 item 1).
#   fuzz-archive             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                            fuzz-archive -max_len=65536 tests/fuzz/corpus/archive
#   fuzz-archive-standalone  the same harness over the seed corpus, in every build
#
# Seeds: tests/fuzz/corpus/archive/ (byte 0 picks the route; small zip, zip64,
# tar, pax sparse, gzip/bzip2/xz/zstd/lz4/lzip streams, 7z, RAR 4 and 5, ar,
# cpio, ARJ and CAB, a zip appended to other bytes: tests/fuzz/make-archive-seeds.sh).
set(_archive_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/archive)
add_executable(fuzz-archive-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-archive.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-archive-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_include_directories(fuzz-archive-standalone PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
target_link_libraries(fuzz-archive-standalone PRIVATE kikan_scanner)
add_test(NAME fuzz-archive-seeds COMMAND fuzz-archive-standalone ${_archive_seeds})
set_tests_properties(fuzz-archive-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  add_executable(fuzz-archive ${CMAKE_CURRENT_LIST_DIR}/fuzz-archive.c)
  target_include_directories(fuzz-archive PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
  target_compile_options(fuzz-archive PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz-archive PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz-archive PRIVATE kikan_scanner)
endif()
