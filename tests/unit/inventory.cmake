# Unit tests of the installed-software and OS posture parsers
# (scanner/inventory.c, issue #4): the real hives of the shared test data,
# hives written at test time by tests/fixtures/make-hive.py, and hostile
# dpkg status, os-release and property lists.
#
# make-hive.py needs the hivex module of the system Python (Debian
# python3-hivex); the interpreter CMake found may be another one (pyenv).
set(_inv_python ${Python3_EXECUTABLE})
execute_process(COMMAND ${_inv_python} -c "import hivex" RESULT_VARIABLE _inv_py_rc
                OUTPUT_QUIET ERROR_QUIET)
if(NOT _inv_py_rc EQUAL 0 AND EXISTS /usr/bin/python3)
  set(_inv_python /usr/bin/python3)
endif()
set(KIKAN_HIVE_PYTHON ${_inv_python} CACHE FILEPATH
    "Python 3 with the hivex module, runs tests/fixtures/make-hive.py")

add_executable(test-scanner-inventory ${CMAKE_CURRENT_LIST_DIR}/test-scanner-inventory.c)
target_link_libraries(test-scanner-inventory PRIVATE kikan_scanner PkgConfig::CMOCKA)
target_compile_definitions(test-scanner-inventory PRIVATE
  KIKAN_TEST_PYTHON="${KIKAN_HIVE_PYTHON}"
  KIKAN_TEST_MAKE_HIVE="${CMAKE_SOURCE_DIR}/tests/fixtures/make-hive.py"
  KIKAN_TEST_SHARED_DIR="${KIKAN_SHARED_TESTDATA_DIR}")
add_test(NAME unit-scanner-inventory COMMAND test-scanner-inventory)
set_tests_properties(unit-scanner-inventory PROPERTIES LABELS unit TIMEOUT 300)
