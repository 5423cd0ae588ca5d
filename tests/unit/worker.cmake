# The worker's fail-closed paths (issue #12 item 6, KR-10): every branch of
# scanner/worker.c that turns an error, a limit or an entry it cannot read
# into "not inspected" is taken by a test that asserts the reason.
#
# Real inputs where they exist (a FIFO, a symbolic link and a tree deeper
# than the walk goes on an ext4 image made by mkfs.ext4 -d, a directory
# loop, an NTFS named stream, DMG, VHD and FAT images inside a folder),
# scanned by the production kikan-scand.  What no input can reach goes to
# kikan-scand-fault: the same daemon, its worker.c compiled again WITHOUT
# any definition, linked with --wrap so that the engine and the media
# layer fail on demand (tests/tools/scand-fault-wraps.c, KIKAN_FAULT).
# Never installed.
add_executable(kikan-scand-fault
  ${CMAKE_SOURCE_DIR}/scanner/scand-main.c
  ${CMAKE_SOURCE_DIR}/scanner/worker.c
  ${CMAKE_SOURCE_DIR}/tests/tools/scand-fault-wraps.c)
target_include_directories(kikan-scand-fault PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
target_link_libraries(kikan-scand-fault PRIVATE kikan_scanner_objs)
target_compile_definitions(kikan-scand-fault PRIVATE KIKAN_LOG_DOMAIN="kikan-scanner")
# The calls are made from worker.o and defined in other objects of the
# link (engine.o, media.o), which is what --wrap needs to apply.
target_link_options(kikan-scand-fault PRIVATE
  -Wl,--wrap=kikan_media_reader_new,--wrap=kikan_media_reader_open_stream
  -Wl,--wrap=kikan_engine_scan_fd,--wrap=kikan_engine_scan_source
  -Wl,--wrap=kikan_media_walk)

add_executable(test-scanner-worker ${CMAKE_CURRENT_LIST_DIR}/test-scanner-worker.c)
target_link_libraries(test-scanner-worker PRIVATE
  kikan_scand_test_support kikan_scanner PkgConfig::CMOCKA)
target_compile_definitions(test-scanner-worker PRIVATE
  KIKAN_SCAND_PATH="$<TARGET_FILE:kikan-scand>"
  KIKAN_SCAND_FAULT_PATH="$<TARGET_FILE:kikan-scand-fault>"
  KIKAN_TEST_MEDIA_IMAGES="${KIKAN_MEDIA_IMAGES_DIR}")
add_dependencies(test-scanner-worker kikan-scand kikan-scand-fault)

# One ctest per test.  Those that read an image of the media fixture
# (tests/unit/media.cmake) require it; a missing image FAILS the test.
set(KIKAN_WORKER_TESTS special_entries_on_medium directory_loop_on_medium
    named_stream_on_medium disk_images_in_folder
    fault_reader_new fault_open_stream fault_open_stream_null fault_scan_no_report
    fault_scan_error fault_walk_unknown_kind fault_walk_swap_detail)
foreach(t IN LISTS KIKAN_WORKER_TESTS)
  add_test(NAME unit-scanner-worker.${t} COMMAND test-scanner-worker ${t})
  set_tests_properties(unit-scanner-worker.${t} PROPERTIES LABELS unit TIMEOUT 300)
endforeach()
set_tests_properties(unit-scanner-worker.directory_loop_on_medium
  unit-scanner-worker.named_stream_on_medium PROPERTIES FIXTURES_REQUIRED media_images)

# The wraps exist only in kikan-scand-fault: the production daemon holds
# none of their names, neither a __wrap_ symbol nor the variable that
# selects a fault, and the fault daemon holds them all (so the check can
# fail).
# "__wrap_" is every wrap's prefix: a wrap added later is covered without
# being listed here (the names are matched as text within the strings).
set(KIKAN_FAULT_NAMES __wrap_ KIKAN_FAULT)
add_test(NAME unit-scanner-worker.no_faults_in_production
  COMMAND ${CMAKE_COMMAND} -DPRODUCTION=$<TARGET_FILE:kikan-scand>
          -DTEST_BUILDS=$<TARGET_FILE:kikan-scand-fault>
          "-DNAMES=${KIKAN_FAULT_NAMES}"
          -P ${CMAKE_SOURCE_DIR}/tests/tools/check-not-in-production.cmake)
set_tests_properties(unit-scanner-worker.no_faults_in_production PROPERTIES LABELS unit)
