# Fuzz harness for the check-in script (kiosk/checkin/script.c, json-glib).
#   fuzz-checkin-script             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                                   fuzz-checkin-script tests/fuzz/corpus/checkin-script
#   fuzz-checkin-script-standalone  the same harness over the seeds (and prefixes), in
#                                   every build
set(_checkin_script_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/checkin-script)
add_executable(fuzz-checkin-script-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-checkin-script.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-checkin-script-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-checkin-script-standalone PRIVATE kikan_kiosk_checkin)
add_test(NAME fuzz-checkin-script-seeds
  COMMAND fuzz-checkin-script-standalone ${_checkin_script_seeds})
set_tests_properties(fuzz-checkin-script-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  # script.c is compiled into the harness so that libFuzzer's coverage
  # instrumentation sees it; the rest comes from the library.
  add_executable(fuzz-checkin-script ${CMAKE_CURRENT_LIST_DIR}/fuzz-checkin-script.c
    ${CMAKE_SOURCE_DIR}/kiosk/checkin/script.c)
  target_compile_definitions(fuzz-checkin-script PRIVATE G_LOG_DOMAIN="kikan")
  target_compile_options(fuzz-checkin-script PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-checkin-script PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-checkin-script PRIVATE kikan_kiosk_checkin)
endif()
