/* Unit test of kiosk/station/network.c: which interfaces are up (KR-38).
 *
 * The checks need interfaces whose state the test controls, without
 * touching the machine's own: the program re-executes itself under
 * `unshare -rn` (a new user namespace mapping the caller to root, and a
 * new network namespace, where only a downed loopback exists), then
 * creates veth pairs there with iproute2's `ip`.  Dummy links would do
 * too, but the dummy module is not loaded on every kernel (it is not on
 * this project's machines) and cannot be auto-loaded from a user
 * namespace; veth is built in wherever containers run.
 *
 * A machine that cannot make the namespace FAILS the test, with the
 * reason: a skipped KR-38 check would look like a passed one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <glib.h>

#include "network-private.h"

#define IN_NETNS_VARIABLE "KIKAN_TEST_NETWORK_IN_NETNS"

/* Names chosen so that creation order (ifindex order, the order
 * getifaddrs() reports) differs from the sorted order. */
#define VETH_Z "kikz0"
#define VETH_A "kika0"
/* A name of raw bytes: a control character and a byte that is not UTF-8.
 * The kernel accepts both; the function must hand them back unchanged
 * (the caller escapes them). */
#define VETH_HOSTILE "kikb\001\377"
#define VETH_HOSTILE_PEER "kikc0"

static void
ip (const char *first, ...)
{
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    g_autoptr (GError) error = NULL;
    g_autofree char *err = NULL;
    int status = 0;
    va_list ap;

    g_ptr_array_add (argv, (char *) "ip");
    va_start (ap, first);
    for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
        g_ptr_array_add (argv, (char *) a);
    va_end (ap);
    g_ptr_array_add (argv, NULL);
    if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                       NULL, &err, &status, &error))
        fail_msg ("cannot run ip (iproute2): %s", error->message);
    if (!g_spawn_check_wait_status (status, &error))
        fail_msg ("ip %s ...: %s: %s", first, error->message, err);
}

/* Deletes what a test made; a missing link is not an error here. */
static int
teardown (void **state)
{
    const char *links[] = { VETH_Z, VETH_HOSTILE };

    (void) state;
    for (gsize i = 0; i < G_N_ELEMENTS (links); i++) {
        const char *argv[] = { "ip", "link", "del", links[i], NULL };

        g_spawn_sync (NULL, (char **) argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                          | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, NULL, NULL);
    }
    {
        const char *argv[] = { "ip", "link", "set", "lo", "down", NULL };

        g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                      NULL, NULL, NULL);
    }
    return 0;
}

static char **
up (void)
{
    char **names = kikan_network_dup_interfaces_up ();

    if (names == NULL)
        fail_msg ("kikan_network_dup_interfaces_up: %s", g_strerror (errno));
    return names;
}

static void
assert_up (const char *const *expected)
{
    g_auto (GStrv) names = up ();
    g_autofree char *got = g_strjoinv ("|", names);
    g_autofree char *want = g_strjoinv ("|", (char **) expected);

    if (!g_strv_equal ((const char *const *) names, expected))
        fail_msg ("interfaces up: got \"%s\", expected \"%s\"", got, want);
}

/* The precondition of every other test: a fresh network namespace, whose
 * only interface is a downed loopback.  Without it the other tests would
 * prove nothing about the machine-independent cases. */
static void
test_fresh_namespace_is_offline (void **state)
{
    g_autofree char *out = NULL;
    g_autoptr (GError) error = NULL;
    const char *argv[] = { "ip", "-o", "link", "show", NULL };
    g_auto (GStrv) lines = NULL;
    const char *none[] = { NULL };
    int status = 0;

    (void) state;
    assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, &status, &error));
    lines = g_strsplit (g_strstrip (out), "\n", -1);
    assert_int_equal (g_strv_length (lines), 1);
    assert_non_null (strstr (lines[0], ": lo: "));
    assert_up (none);
}

static void
test_loopback_never_listed (void **state)
{
    const char *none[] = { NULL };

    (void) state;
    ip ("link", "set", "lo", "up", NULL);
    ip ("addr", "add", "127.0.0.2/8", "dev", "lo", NULL);
    assert_up (none);
}

static void
test_down_interfaces_not_listed (void **state)
{
    const char *none[] = { NULL };

    (void) state;
    ip ("link", "add", VETH_Z, "type", "veth", "peer", "name", VETH_A, NULL);
    assert_up (none);
}

/* Administratively up is enough: the peer is down, so VETH_Z has no
 * carrier (not IFF_RUNNING), and it must still be listed. */
static void
test_up_without_carrier_listed (void **state)
{
    const char *one[] = { VETH_Z, NULL };

    (void) state;
    ip ("link", "add", VETH_Z, "type", "veth", "peer", "name", VETH_A, NULL);
    ip ("link", "set", VETH_Z, "up", NULL);
    assert_up (one);
}

/* Several addresses give several getifaddrs() entries for one interface;
 * it is listed once, and the list is in byte order, not ifindex order. */
static void
test_sorted_and_deduplicated (void **state)
{
    const char *both[] = { VETH_A, VETH_Z, NULL };

    (void) state;
    ip ("link", "set", "lo", "up", NULL);
    ip ("link", "add", VETH_Z, "type", "veth", "peer", "name", VETH_A, NULL);
    ip ("addr", "add", "192.0.2.1/24", "dev", VETH_Z, NULL);
    ip ("addr", "add", "192.0.2.2/24", "dev", VETH_Z, NULL);
    ip ("addr", "add", "198.51.100.1/24", "dev", VETH_A, NULL);
    ip ("link", "set", VETH_Z, "up", NULL);
    ip ("link", "set", VETH_A, "up", NULL);
    assert_up (both);
}

static void
test_down_again_not_listed (void **state)
{
    const char *none[] = { NULL };
    const char *one[] = { VETH_A, NULL };

    (void) state;
    ip ("link", "add", VETH_Z, "type", "veth", "peer", "name", VETH_A, NULL);
    ip ("link", "set", VETH_Z, "up", NULL);
    ip ("link", "set", VETH_A, "up", NULL);
    ip ("link", "set", VETH_Z, "down", NULL);
    assert_up (one);
    ip ("link", "set", VETH_A, "down", NULL);
    assert_up (none);
}

static void
test_raw_bytes_kept (void **state)
{
    const char *one[] = { VETH_HOSTILE, NULL };

    (void) state;
    ip ("link", "add", VETH_HOSTILE, "type", "veth", "peer", "name", VETH_HOSTILE_PEER, NULL);
    ip ("link", "set", VETH_HOSTILE, "up", NULL);
    assert_up (one);
}

/* Runs this very program again inside a new user and network namespace,
 * and returns its exit status. */
static int
reexec_in_namespace (void)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *self = g_file_read_link ("/proc/self/exe", &error);
    g_auto (GStrv) envp = NULL;
    int status = 0;

    if (self == NULL) {
        g_printerr ("FAIL: cannot find this program: %s\n", error->message);
        return 1;
    }
    envp = g_environ_setenv (g_get_environ (), IN_NETNS_VARIABLE, "1", TRUE);
    {
        const char *argv[] = { "unshare", "--map-root-user", "--net", "--", self, NULL };

        if (!g_spawn_sync (NULL, (char **) argv, envp,
                           G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                           NULL, NULL, &status, &error)) {
            g_printerr ("FAIL: cannot run unshare (util-linux): %s\n", error->message);
            return 1;
        }
    }
    if (!g_spawn_check_wait_status (status, &error)) {
        /* unshare itself prints why a namespace was refused (e.g. user
         * namespaces disabled by kernel.unprivileged_userns_clone=0). */
        g_printerr ("FAIL: the test in a new network namespace: %s\n", error->message);
        return 1;
    }
    return 0;
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown (test_fresh_namespace_is_offline, teardown),
        cmocka_unit_test_teardown (test_loopback_never_listed, teardown),
        cmocka_unit_test_teardown (test_down_interfaces_not_listed, teardown),
        cmocka_unit_test_teardown (test_up_without_carrier_listed, teardown),
        cmocka_unit_test_teardown (test_sorted_and_deduplicated, teardown),
        cmocka_unit_test_teardown (test_down_again_not_listed, teardown),
        cmocka_unit_test_teardown (test_raw_bytes_kept, teardown),
    };

    if (g_getenv (IN_NETNS_VARIABLE) == NULL)
        return reexec_in_namespace ();
    return cmocka_run_group_tests (tests, NULL, NULL);
}
