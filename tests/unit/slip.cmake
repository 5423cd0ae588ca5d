# Unit tests of the slip's payload codec (kiosk/slip/slip-payload.c; issue
# #10 item 4, KR-27): base45 against RFC 9285's examples, slip numbers and
# their check digits, a signed round trip with keys made by libsodium, and
# the decoder's refusals (forged, damaged, truncated, oversized input).
add_executable(test-kiosk-slip ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-slip.c)
# libsodium and zlib come with the library (its PUBLIC links).
target_link_libraries(test-kiosk-slip PRIVATE kikan_kiosk_slip PkgConfig::CMOCKA)
target_compile_definitions(test-kiosk-slip PRIVATE G_LOG_DOMAIN="kikan-test")
add_test(NAME unit-kiosk-slip COMMAND test-kiosk-slip)
set_tests_properties(unit-kiosk-slip PROPERTIES LABELS unit TIMEOUT 120)
