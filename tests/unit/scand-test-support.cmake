# What the unit tests of kikan-scand share (scand-test-support.h): the temp
# dir of a test, the reports of a scan, one test from the command line.
# Compiled once; linked into test-scanner-scand (scand.cmake),
# test-scanner-worker (worker.cmake) and test-scanner-sandbox-proof
# (sandbox-proof.cmake).
add_library(kikan_scand_test_support STATIC ${CMAKE_CURRENT_LIST_DIR}/scand-test-support.c)
target_include_directories(kikan_scand_test_support PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(kikan_scand_test_support PUBLIC kikan_scanner PkgConfig::CMOCKA)
