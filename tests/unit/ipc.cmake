# Unit tests of the IPC codec and framing (scanner/ipc.c): round trips of
# every message type, malformed frames refused, descriptors never leaked.
# Needs only kikan_scanner_core (no libclamav).
add_executable(test-scanner-ipc ${CMAKE_CURRENT_LIST_DIR}/test-scanner-ipc.c)
target_include_directories(test-scanner-ipc PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
target_link_libraries(test-scanner-ipc PRIVATE kikan_scanner_core PkgConfig::CMOCKA m)
add_test(NAME unit-scanner-ipc COMMAND test-scanner-ipc)
set_tests_properties(unit-scanner-ipc PROPERTIES LABELS unit TIMEOUT 120)
