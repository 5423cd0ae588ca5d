# cmake -DPRODUCTION=kikan-scand "-DTEST_BUILDS=build;..." "-DNAMES=name;..." -P this-file
#
# Test-only code built into a test build of kikan-scand (the fault wraps
# of tests/tools/scand-fault-wraps.c, the sandbox probe of
# scanner/sandbox-probe.c) must leave no trace in the production daemon:
# its bytes must hold none of NAMES (the symbols, and the strings and
# variables that select the test-only behaviour).  The test builds must
# hold every one of them between them, or this check would pass for a
# reason other than their absence: a name misspelt here, or one the
# compiler no longer emits.
foreach(var PRODUCTION TEST_BUILDS NAMES)
  if("${${var}}" STREQUAL "")
    message(FATAL_ERROR "-D${var}=... is required")
  endif()
endforeach()
foreach(bin IN LISTS PRODUCTION TEST_BUILDS)
  if(NOT EXISTS "${bin}")
    message(FATAL_ERROR "binary missing: '${bin}'")
  endif()
endforeach()
# Each name is matched as a regular expression to pick the strings out of
# the binaries, then as text: a character the two read differently would
# let a name through unseen.
foreach(n IN LISTS NAMES)
  if(NOT n MATCHES "^[A-Za-z0-9_-]+$")
    message(FATAL_ERROR "\"${n}\": a name may hold only letters, digits, _ and -")
  endif()
endforeach()
list(JOIN NAMES "|" regex)
file(STRINGS "${PRODUCTION}" production REGEX "${regex}")
set(test_builds "")
foreach(bin IN LISTS TEST_BUILDS)
  file(STRINGS "${bin}" strings REGEX "${regex}")
  list(APPEND test_builds ${strings})
endforeach()
foreach(n IN LISTS NAMES)
  string(FIND "${production}" "${n}" in_production)
  string(FIND "${test_builds}" "${n}" in_test_builds)
  if(NOT in_production EQUAL -1)
    message(FATAL_ERROR "${PRODUCTION} contains \"${n}\": test-only code is in production")
  endif()
  if(in_test_builds EQUAL -1)
    message(FATAL_ERROR "no test build holds \"${n}\" (${TEST_BUILDS}): this check cannot see "
                        "what it looks for")
  endif()
endforeach()
list(JOIN NAMES ", " names)
message(STATUS "${PRODUCTION} holds none of ${names}; the test builds do")
