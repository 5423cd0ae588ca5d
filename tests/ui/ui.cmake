# UI tests of kikan-kiosk (issue #11): the real application in-process
# under Xvfb, driven through its actions, the store's state asserted with
# SQL.  ui-harness.{c,h} is shared by every UI test (employee flow, IT
# mode, auditor, the screenshot script).
#
# kikan_ui_test(NAME SOURCE [TIMEOUT s] [CASES case…]): one executable;
# one ctest per case (`ui.<name>.<case>`, the case passed as argv[1]) so
# that each runs in a fresh process and CI can budget it.  Other UI test
# files start with include(${CMAKE_CURRENT_LIST_DIR}/ui.cmake): the glob
# of tests/CMakeLists.txt includes them in name order.
include_guard(GLOBAL)
find_program(XVFB_RUN xvfb-run REQUIRED)
pkg_check_modules(KIKAN_UI_SQLITE REQUIRED IMPORTED_TARGET sqlite3)
if(NOT DEFINED KIKAN_SHARED_TESTDATA_DIR)
  set(KIKAN_SHARED_TESTDATA_DIR "${CMAKE_SOURCE_DIR}/../shared/testdata")
endif()

add_library(kikan_ui_harness STATIC ${CMAKE_CURRENT_LIST_DIR}/ui-harness.c)
target_include_directories(kikan_ui_harness PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(kikan_ui_harness PUBLIC kikan_ui PkgConfig::CMOCKA)
target_compile_definitions(kikan_ui_harness PUBLIC
  G_LOG_DOMAIN="kikan-ui-test"
  KIKAN_UI_TEST_KIKAN="$<TARGET_FILE:kikan>"
  KIKAN_UI_TEST_SCAND="$<TARGET_FILE:kikan-scand>"
  KIKAN_UI_TEST_SHARED_TESTDATA="${KIKAN_SHARED_TESTDATA_DIR}"
  KIKAN_UI_TEST_FIXTURES="${KIKAN_FIXTURES_DIR}"
  KIKAN_UI_TEST_SIGNATURES="${CMAKE_SOURCE_DIR}/signatures"
  KIKAN_UI_TEST_MAKE_MEDIA="${CMAKE_SOURCE_DIR}/tests/fixtures/make-media.py"
  KIKAN_UI_TEST_XTS_ENCRYPT="$<TARGET_FILE:xts-encrypt>")
target_link_libraries(kikan_ui_harness PUBLIC PkgConfig::KIKAN_UI_SQLITE)

# GSK_RENDERER=cairo: Mesa llvmpipe redraws the whole 1280x800 window on
# the CPU, 200+ ms a frame on a loaded 2-core build machine, which would
# hide what the frame-gap test measures (the main loop's responsiveness)
# behind the software GL's cost; cairo redraws only what changed.
function(kikan_ui_test name source)
  cmake_parse_arguments(ARG "" "TIMEOUT" "CASES" ${ARGN})
  add_executable(test-ui-${name} ${source})
  # The templates and resources register through GType only.
  target_link_libraries(test-ui-${name} PRIVATE kikan_ui_harness
    "-Wl,--whole-archive" "$<TARGET_FILE:kikan_ui>" "-Wl,--no-whole-archive")
  # kikan_fixtures: the station's start-up self-test scans fixtures/selftest.
  add_dependencies(test-ui-${name} kikan kikan-scand kikan_fixtures xts-encrypt)
  kikan_ui_cases(test-ui-${name} ui.${name} TIMEOUT ${ARG_TIMEOUT} CASES ${ARG_CASES})
endfunction()

# kikan_ui_cases(TARGET PREFIX [SERIAL] [TIMEOUT s] CASES case…): more
# ctests of an existing UI test executable, under their own names (e.g. a
# slow case that CI budgets on its own).  SERIAL: never run beside other
# tests (a timing measurement).
function(kikan_ui_cases target prefix)
  cmake_parse_arguments(ARG "SERIAL" "TIMEOUT" "CASES" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  foreach(case ${ARG_CASES})
    if(ARG_SERIAL)
      # A timing measurement on a shared 2-core machine: Xvfb or another
      # process can stall one run (seen here: a 130 ms gap with the UI
      # thread idle).  It passes when one of three runs keeps every gap
      # under the limit; a main loop that really blocks fails all three.
      # Under the sanitizers timing means nothing, so it is not run there.
      if(KIKAN_SANITIZE)
        continue()
      endif()
      add_test(NAME ${prefix}.${case}
               COMMAND sh -c "for run in 1 2 3; do \"$0\" -a -s '-screen 0 1280x800x24' \"$1\" \"$2\" && exit 0; echo \"run $run failed\"; done; exit 1"
                       ${XVFB_RUN} $<TARGET_FILE:${target}> ${case})
    else()
      add_test(NAME ${prefix}.${case}
               COMMAND ${XVFB_RUN} -a -s "-screen 0 1280x800x24" $<TARGET_FILE:${target}> ${case})
    endif()
    set_tests_properties(${prefix}.${case} PROPERTIES
      LABELS ui
      TIMEOUT ${ARG_TIMEOUT}
      ENVIRONMENT "GDK_BACKEND=x11;GSK_RENDERER=cairo;GTK_A11Y=none;NO_AT_BRIDGE=1;LC_ALL=C.UTF-8;KIKAN_SANDBOX=;KIKAN_FAKE_NOW=")
    if(ARG_SERIAL)
      set_tests_properties(${prefix}.${case} PROPERTIES RUN_SERIAL TRUE)
    endif()
  endforeach()
endfunction()
