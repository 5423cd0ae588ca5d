# Unit test of the [it] settings of kikan.conf (kiosk/auth/auth.c;
# docs/it-accounts.md): the lock-out and IT mode's idle time.  The
# accounts themselves are tested end to end in tests/integration.
add_executable(test-kiosk-auth-policy ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-auth-policy.c)
target_link_libraries(test-kiosk-auth-policy PRIVATE kikan_kiosk PkgConfig::CMOCKA)
target_compile_definitions(test-kiosk-auth-policy PRIVATE G_LOG_DOMAIN="kikan-test")
add_test(NAME unit-kiosk-auth-policy COMMAND test-kiosk-auth-policy)
set_tests_properties(unit-kiosk-auth-policy PROPERTIES LABELS unit TIMEOUT 60)
