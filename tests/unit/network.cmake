# Unit test of kiosk/station/network.c, the KR-38 check that no network
# interface is up.  It compiles network.c itself rather than linking the
# station library, so that it builds whatever that library links; the test
# re-executes itself under `unshare -rn` and plays veth links in a network
# namespace of its own (never the machine's).  Needs util-linux (unshare)
# and iproute2 (ip).
add_executable(test-kiosk-network ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-network.c
  ${CMAKE_SOURCE_DIR}/kiosk/station/network.c)
target_include_directories(test-kiosk-network PRIVATE ${CMAKE_SOURCE_DIR}/kiosk/station)
target_link_libraries(test-kiosk-network PRIVATE kikan_warnings PkgConfig::GLIB PkgConfig::CMOCKA)
target_compile_definitions(test-kiosk-network PRIVATE G_LOG_DOMAIN="kikan-test")
add_test(NAME unit-kiosk-network COMMAND test-kiosk-network)
set_tests_properties(unit-kiosk-network PROPERTIES LABELS unit TIMEOUT 120)
