# bench/: benchmark programs (docs/benchmarks.md).  Off by default and never
# part of the default build or the test suite: bench/checkin.sh configures
# its build folder with -DKIKAN_BUILD_BENCH=ON and builds the one target it
# runs.  Included from the top CMakeLists.txt after kiosk/.
option(KIKAN_BUILD_BENCH "Build the benchmark programs of bench/ (bench/checkin.sh)" OFF)
if(KIKAN_BUILD_BENCH)
  # A check-in of 20 items against the store (issue #9 must-show list).
  add_executable(kikan-bench-checkin-store EXCLUDE_FROM_ALL
    ${CMAKE_CURRENT_LIST_DIR}/checkin-store.c)
  target_link_libraries(kikan-bench-checkin-store PRIVATE kikan_kiosk kikan_kiosk_defs)
  # The build tree's daemon, named explicitly: the bench is not `kikan`,
  # so common/paths.c would not pick the build tree's one for it.
  target_compile_definitions(kikan-bench-checkin-store PRIVATE
    KIKAN_BENCH_SCAND="$<TARGET_FILE:kikan-scand>")
  add_dependencies(kikan-bench-checkin-store kikan-scand)
endif()
if(KIKAN_BUILD_BENCH)
  # A day of service (issue #12 item 5): scripts/soak.sh runs N check-ins
  # through one station and records memory and descriptors over time.
  add_executable(kikan-soak EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/soak.c)
  target_link_libraries(kikan-soak PRIVATE kikan_kiosk kikan_kiosk_defs)
  add_dependencies(kikan-soak kikan-scand)
endif()
if(KIKAN_BUILD_BENCH)
  # The upstream leak the soak found in the slip's PDF (docs/robustness.md):
  # does this machine's cairo keep memory per PDF with a CID-keyed CFF font?
  pkg_check_modules(KIKAN_BENCH_PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo cairo-pdf)
  add_executable(kikan-bench-cairo-cff-leak EXCLUDE_FROM_ALL
    ${CMAKE_CURRENT_LIST_DIR}/cairo-cff-leak.c)
  target_link_libraries(kikan-bench-cairo-cff-leak PRIVATE kikan_warnings
    PkgConfig::KIKAN_BENCH_PANGOCAIRO)
endif()
