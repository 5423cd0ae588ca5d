# Sandbox proof (issue #12 item 3; docs/robustness.md "Sandbox proof").
#
# Two TEST-ONLY builds of kikan-scand, from the same sources as the real
# one: only worker.c is compiled again, with a definition, next to the
# probe (scanner/sandbox-probe.c).  Neither is ever installed.
#   kikan-scand-probe      the real confinement; the worker performs the
#                          hostile action the test names, once confined.
#   kikan-scand-proof-off  the same with the confinement turned off (no
#                          rlimits, a backend that applies nothing but
#                          says "seccomp+landlock"), for
#                          scripts/sandbox-proof.sh, where every sandbox
#                          test must FAIL.
function(kikan_add_scand_probe name)
  add_executable(${name}
    ${CMAKE_SOURCE_DIR}/scanner/scand-main.c
    ${CMAKE_SOURCE_DIR}/scanner/worker.c
    ${CMAKE_SOURCE_DIR}/scanner/sandbox-probe.c)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/scanner)
  target_link_libraries(${name} PRIVATE kikan_scanner_objs)
  target_compile_definitions(${name} PRIVATE KIKAN_LOG_DOMAIN="kikan-scanner" ${ARGN})
endfunction()
kikan_add_scand_probe(kikan-scand-probe KIKAN_SANDBOX_PROBE)
kikan_add_scand_probe(kikan-scand-proof-off KIKAN_SANDBOX_PROBE KIKAN_SANDBOX_PROOF_OFF)

add_executable(test-scanner-sandbox-proof ${CMAKE_CURRENT_LIST_DIR}/test-scanner-sandbox-proof.c)
target_link_libraries(test-scanner-sandbox-proof PRIVATE
  kikan_scand_test_support kikan_scanner PkgConfig::CMOCKA)
add_dependencies(test-scanner-sandbox-proof kikan-scand-probe kikan-scand-proof-off)

# One ctest per hostile action, against the real confinement.  The daemon
# is named in the environment so that scripts/sandbox-proof.sh can run the
# very same tests against kikan-scand-proof-off.
set(KIKAN_SANDBOX_PROOF_TESTS open_by_path socket exec write_outside write_into_target
    memory_limit cpu_deadline)
# Sanitizer builds set no RLIMIT_AS (ASan reserves terabytes of shadow
# memory; docs/ipc.md), so there is no memory limit to prove there: the
# test is left out of that suite rather than skipped, and fails if run.
if(KIKAN_SANITIZE)
  list(REMOVE_ITEM KIKAN_SANDBOX_PROOF_TESTS memory_limit)
endif()
foreach(t IN LISTS KIKAN_SANDBOX_PROOF_TESTS)
  add_test(NAME unit-sandbox-proof.${t} COMMAND test-scanner-sandbox-proof ${t})
  set_tests_properties(unit-sandbox-proof.${t} PROPERTIES LABELS "unit;sandbox-proof"
    TIMEOUT 120 ENVIRONMENT "KIKAN_PROOF_SCAND=$<TARGET_FILE:kikan-scand-probe>")
endforeach()

# The hook exists only in the probe builds: the production daemon's bytes
# hold none of its names (its symbols, the prefix that selects an action,
# its variable, the sandbox name "proof-off" that only the test daemon
# reports), and the probe builds' do (so the check can fail).
set(KIKAN_PROBE_NAMES kikan_sandbox_probe kikan_sandbox_proof_off kikan-probe- KIKAN_PROBE_OUT
    proof-off)
add_test(NAME unit-sandbox-proof.no_probe_in_production
  COMMAND ${CMAKE_COMMAND} -DPRODUCTION=$<TARGET_FILE:kikan-scand>
          "-DTEST_BUILDS=$<TARGET_FILE:kikan-scand-probe>;$<TARGET_FILE:kikan-scand-proof-off>"
          "-DNAMES=${KIKAN_PROBE_NAMES}"
          -P ${CMAKE_SOURCE_DIR}/tests/tools/check-not-in-production.cmake)
set_tests_properties(unit-sandbox-proof.no_probe_in_production PROPERTIES
  LABELS "unit;sandbox-proof")
