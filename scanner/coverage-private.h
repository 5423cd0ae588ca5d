/* Kikan scanner: gcov counters of the sandboxed worker (issue #12 item 6).
 *
 * The worker ends with _exit(), which skips the gcov runtime's exit hook,
 * so a coverage build (-DKIKAN_COVERAGE=ON, scripts/coverage.sh) writes the
 * counters explicitly first; its sandbox also lets it lock and write the
 * counter files beneath KIKAN_COVERAGE_DIR (the build folder), and nothing
 * else.  In every other build this is nothing at all. */
#pragma once

#ifdef KIKAN_COVERAGE_DIR
void __gcov_dump (void);
#define kikan_coverage_flush() __gcov_dump ()
#else
#define kikan_coverage_flush() ((void) 0)
#endif
