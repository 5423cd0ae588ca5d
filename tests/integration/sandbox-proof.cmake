# Sandbox proof through `kikan checkin` (issue #12 item 3): the inspector
# drives kikan-scand-probe (tests/unit/sandbox-proof.cmake), whose confined
# worker performs a hostile action; the stick must be HOLD with MAL-04.
# Same rules as integration.cmake: one ctest per Python test, a fresh
# KIKAN_HOME each; scripts/sandbox-proof.sh runs them again against
# kikan-scand-proof-off, where they must fail.
set(KIKAN_IT_SANDBOX_PROOF_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_SANDBOX_PROOF_TESTS
  test_sandbox_proof.SandboxCheckin.test_socket_item_held
  test_sandbox_proof.SandboxCheckin.test_open_by_path_item_held
  test_sandbox_proof.SandboxCheckin.test_memory_limit_item_held)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_SANDBOX_PROOF_TESTS})
# No RLIMIT_AS in sanitizer builds (docs/ipc.md): nothing to prove there,
# and the test is left out rather than skipped (it fails if run).
if(KIKAN_SANITIZE)
  list(REMOVE_ITEM KIKAN_IT_SANDBOX_PROOF_TESTS
       test_sandbox_proof.SandboxCheckin.test_memory_limit_item_held)
endif()

# kikan-scand-probe is defined later (tests/unit/ sorts after integration/);
# generator expressions resolve it at generation time.
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_SANDBOX_PROOF_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_SANDBOX_PROOF_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_SANDBOX_PROOF_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS "integration;sandbox-proof"
      TIMEOUT 300
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_PROOF_SCAND=$<TARGET_FILE:kikan-scand-probe>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};KIKAN_IT_CLAMAV_TESTFILES=${KIKAN_CLAMAV_TESTFILES_DIR};KIKAN_IT_MAKE_MEDIA=${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py;KIKAN_IT_MAKE_SOFTWARE=${CMAKE_SOURCE_DIR}/tests/fixtures/make-software.py;KIKAN_IT_XTS_ENCRYPT=$<TARGET_FILE:xts-encrypt>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
