/* Kikan: test seams, honoured only by a program that runs from its build tree.
 *
 * A test seam is an environment variable that lets a test swap a component
 * (the scan daemon, the policy, the project's signatures, the self-test
 * fixtures), fake the clock or the free disk space, weaken a check (the
 * null sandbox) or make the process kill itself at a chosen point.  On a
 * kiosk any of them would let a line in /etc/environment or a unit drop-in
 * undo what the kiosk promises: a daemon named in KIKAN_SCAND could answer
 * "clean" for everything, a faked clock could make stale signatures pass.
 *
 * So every seam is read through kikan_test_seam(), which answers only for
 * an executable that lies inside the build tree it was compiled in
 * (/proc/self/exe beneath KIKAN_BUILD_ROOT): the test suite's programs,
 * `kikan`, `kikan-kiosk` and the daemons of that build tree.  An installed
 * copy, a copy anywhere else, or a program whose own path cannot be read
 * ignores them all.  docs/deploy.md "Environment" lists every variable the
 * programs read, seam or deployment setting; the deployment settings
 * (KIKAN_HOME, KIKAN_DEBUG, the locale, TMPDIR) are read directly.
 *
 * Plain C: used by scanner/ (the daemon's KIKAN_SANDBOX) and kiosk/ alike.
 */
#pragma once

/* Every test seam, NULL-terminated.  kikan_test_seam() accepts only these
 * names, and kikan-kiosk removes each from its environment when it does
 * not run from the build tree.  (The variables of the test-only daemons,
 * KIKAN_FAULT and KIKAN_PROBE_OUT, are not here: the production daemon's
 * bytes must not even hold their names; tests/tools/check-no-*.cmake.) */
extern const char *const kikan_test_seam_names[];

/* 1 when this process's executable lies beneath the build tree it was
 * compiled in, 0 otherwise (installed, copied elsewhere, path unreadable,
 * build tree gone).  Decided once per process. */
int kikan_test_seams_enabled (void);

/* The value of the test seam @name in the environment, or NULL; always
 * NULL unless kikan_test_seams_enabled().  @name must be one of
 * kikan_test_seam_names: any other name aborts (a seam read without being
 * listed would escape the inventory).  Borrowed from the environment. */
const char *kikan_test_seam (const char *name);

/* The decision of kikan_test_seams_enabled() as a pure function: 1 when
 * @exe (a canonical absolute path; NULL when unknown) lies strictly
 * beneath the directory @build_root (canonical, absolute, not "/"). */
int kikan_test_seam_exe_in_build_tree (const char *exe, const char *build_root);
