# Unit tests of the media layer (scanner/media.c): partition tables, volume
# probing (libblkid, own header checks, entropy), walking and reading file
# systems through The Sleuth Kit, and hostile or broken media.
#
# The images are made at test time by tests/fixtures/make-images.sh (mkfs,
# sfdisk, mtools, ntfs-3g and exFAT FUSE as root, cryptsetup) plus the
# samples in ../shared/testdata/images; the fixture test makes them once.
set(KIKAN_MEDIA_IMAGES_DIR ${CMAKE_BINARY_DIR}/media-images)
add_test(NAME media-images
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fixtures/make-images.sh ${KIKAN_MEDIA_IMAGES_DIR}
          ${KIKAN_SHARED_TESTDATA_DIR}/images)
set_tests_properties(media-images PROPERTIES LABELS unit TIMEOUT 300
  FIXTURES_SETUP media_images)

add_executable(test-scanner-media ${CMAKE_CURRENT_LIST_DIR}/test-scanner-media.c)
target_include_directories(test-scanner-media PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
target_link_libraries(test-scanner-media PRIVATE kikan_scanner PkgConfig::CMOCKA)
target_compile_definitions(test-scanner-media PRIVATE
  KIKAN_TEST_MEDIA_IMAGES="${KIKAN_MEDIA_IMAGES_DIR}")
add_test(NAME unit-scanner-media COMMAND test-scanner-media)
set_tests_properties(unit-scanner-media PROPERTIES LABELS unit TIMEOUT 300
  FIXTURES_REQUIRED media_images)
