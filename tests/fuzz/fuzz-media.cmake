# Fuzz harness for the media layer (scanner/media.c): partition tables,
# volume probing (libblkid, own header checks), and file systems read with
# The Sleuth Kit, from a disk image of arbitrary bytes.
#   fuzz-media             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                          fuzz-media -max_len=1048576 -timeout=20 <corpus dir>
#   fuzz-media-standalone  the same harness over the seed corpus, in every build
#
# Seeds: tests/fuzz/corpus/media/ (60 KiB variants made by
# tests/fixtures/make-images.sh, in its seeds/ output; iso-trees.img by
# genisoimage -no-pad -R -J with one file hidden from each tree), plus the shared
# samples the media-images fixture decompresses (Core Storage, APFS, HFS+,
# BitLocker).
set(_media_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/media)
set(_media_images ${CMAKE_BINARY_DIR}/media-images)
add_executable(fuzz-media-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-media.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-media-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_include_directories(fuzz-media-standalone PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
target_link_libraries(fuzz-media-standalone PRIVATE kikan_scanner)
add_test(NAME fuzz-media-seeds
  COMMAND fuzz-media-standalone ${_media_seeds} ${_media_images}/cs_fvault2.img
          ${_media_images}/apfs.img ${_media_images}/hfsplus.img
          ${_media_images}/bitlocker-win7.img)
set_tests_properties(fuzz-media-seeds PROPERTIES LABELS fuzz TIMEOUT 300
  FIXTURES_REQUIRED media_images)
if(KIKAN_FUZZ)
  add_executable(fuzz-media ${CMAKE_CURRENT_LIST_DIR}/fuzz-media.c)
  target_include_directories(fuzz-media PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
  target_compile_options(fuzz-media PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz-media PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz-media PRIVATE kikan_scanner)
endif()
