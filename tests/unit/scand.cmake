# Tests of kikan-scand with the real engine in real processes: the client
# API spawns the daemon built here, which forks sandboxed workers.  Kills a
# worker, stops one past its deadline, kills the daemon, feeds tampered and
# missing databases, and scans /usr/share/clamav-testfiles.
add_executable(test-scanner-scand ${CMAKE_CURRENT_LIST_DIR}/test-scanner-scand.c)
# The sandbox backend is also tested on its own (scanner/sandbox-private.h).
target_include_directories(test-scanner-scand PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
target_link_libraries(test-scanner-scand PRIVATE
  kikan_scand_test_support kikan_scanner PkgConfig::CMOCKA)
target_compile_definitions(test-scanner-scand PRIVATE
  KIKAN_SCAND_PATH="$<TARGET_FILE:kikan-scand>"
  KIKAN_TEST_SHARED="${CMAKE_SOURCE_DIR}/../shared/testdata")
add_dependencies(test-scanner-scand kikan-scand)
add_test(NAME unit-scanner-scand COMMAND test-scanner-scand)
set_tests_properties(unit-scanner-scand PROPERTIES LABELS unit TIMEOUT 600)
