# Test seams reach only the build tree (docs/deploy.md "The environment";
# tests/integration/test_seams.py): the installed `kikan` (cmake --install
# into a temporary prefix) ignores KIKAN_SCAND, KIKAN_FAKE_NOW and the other
# seams that the build tree's `kikan` honours, and every variable the
# programs read is in the table of docs/deploy.md.
#
# Same rules as integration.cmake: one ctest per Python test (run.py fails
# on a skip), label integration, a fresh KIKAN_HOME each; the IDs are added
# to integration.all_registered through KIKAN_IT_REGISTERED_ELSEWHERE.
set(KIKAN_IT_SEAMS_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_SEAMS_TESTS
  test_seams.InstalledCopy.test_scand_seam
  test_seams.InstalledCopy.test_fake_now_seam
  test_seams.InstalledCopy.test_kill_point_seam
  test_seams.InstalledCopy.test_sandbox_seam
  test_seams.InstalledCopy.test_signatures_dir_seam
  test_seams.SeamInventory.test_every_variable_classified)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_SEAMS_TESTS})

# kikan-scand-proof-off is defined later (tests/unit/ sorts after
# integration/); generator expressions resolve it at generation time.
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_SEAMS_TESTS)
    # test_seams.InstalledCopy.test_scand_seam -> integration.seams.scand_seam
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_SEAMS_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_SEAMS_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 300
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_PROOF_OFF_SCAND=$<TARGET_FILE:kikan-scand-proof-off>;KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
