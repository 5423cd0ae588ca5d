# Unit tests of the software policy (kiosk/software/policy.c) and the posture
# evaluation that turns an inventory, executables and PUA detections into
# findings (kiosk/software/posture.c), and the per-target collection around it
# (kiosk/software/software-facts.c).  Issue #4; docs/policy.md.  The policy test
# loads data/policy.conf.example from the source tree.
foreach(topic IN ITEMS policy posture software-facts)
  add_executable(test-kiosk-${topic} ${CMAKE_CURRENT_LIST_DIR}/test-kiosk-${topic}.c)
  target_link_libraries(test-kiosk-${topic} PRIVATE kikan_kiosk PkgConfig::CMOCKA)
  target_compile_definitions(test-kiosk-${topic} PRIVATE
    G_LOG_DOMAIN="kikan-test"
    KIKAN_TEST_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_test(NAME unit-kiosk-${topic} COMMAND test-kiosk-${topic})
  set_tests_properties(unit-kiosk-${topic} PROPERTIES LABELS unit TIMEOUT 120)
endforeach()
