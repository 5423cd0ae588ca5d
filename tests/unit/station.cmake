# Unit test of the kiosk station (kiosk/station/; docs/station.md): one
# station per home, the self-test gate and its checks, the engine swap
# after an import and the refusals that change nothing.  Real store, real
# kikan-scand, the signed upstream test-6.cvd, the project's signatures
# and the self-test fixtures.
if(NOT DEFINED KIKAN_SHARED_TESTDATA_DIR)
  set(KIKAN_SHARED_TESTDATA_DIR "${CMAKE_SOURCE_DIR}/../shared/testdata")
endif()
add_executable(test-kiosk-station ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-station.c)
target_link_libraries(test-kiosk-station PRIVATE kikan_kiosk PkgConfig::CMOCKA)
target_compile_definitions(test-kiosk-station PRIVATE G_LOG_DOMAIN="kikan-test"
  KIKAN_TEST_SHARED="${KIKAN_SHARED_TESTDATA_DIR}")
add_dependencies(test-kiosk-station kikan-scand kikan_fixtures)
add_test(NAME unit-kiosk-station COMMAND test-kiosk-station)
# The test program is not the build tree's kikan, so it names the daemon;
# no policy is installed (the policy check WARNs), the sandbox is real.
set_tests_properties(unit-kiosk-station PROPERTIES
  LABELS unit
  TIMEOUT 600
  ENVIRONMENT "KIKAN_HOME=${CMAKE_CURRENT_BINARY_DIR}/kiosk-home/station;KIKAN_FAKE_NOW=;KIKAN_SANDBOX=;KIKAN_POLICY=;KIKAN_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_SELFTEST_DIR=${KIKAN_FIXTURES_DIR}/selftest;KIKAN_SIGNATURES_DIR=${CMAKE_SOURCE_DIR}/signatures")
