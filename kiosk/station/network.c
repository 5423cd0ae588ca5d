/* Kikan kiosk: which network interfaces are up (network-private.h; KR-38). */
#include "network-private.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>

static gint
compare_names (gconstpointer a, gconstpointer b)
{
    /* Byte order, not g_utf8_collate(): names need not be UTF-8, and the
     * order must not depend on the locale the kiosk runs in. */
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char **
kikan_network_dup_interfaces_up (void)
{
    struct ifaddrs *list = NULL;
    GPtrArray *names;

    /* getifaddrs() gives one entry per address, plus on Linux one
     * AF_PACKET entry per interface, so an interface that is up without
     * any IP address (the usual state of a cable plugged into a kiosk
     * whose DHCP client is off) is still seen.  An interface with several
     * addresses appears several times: deduplicated below. */
    if (getifaddrs (&list) != 0)
        return NULL;

    names = g_ptr_array_new ();
    for (const struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
        if (ifa->ifa_name == NULL || ifa->ifa_name[0] == '\0')
            continue;
        /* IFF_LOOPBACK rather than the name "lo": the flag is what makes
         * an interface unable to reach another machine. */
        if ((ifa->ifa_flags & IFF_LOOPBACK) != 0)
            continue;
        /* IFF_UP, not IFF_RUNNING: an enabled interface without a carrier
         * is one cable away from being online, and KR-38 asks that none
         * be enabled. */
        if ((ifa->ifa_flags & IFF_UP) == 0)
            continue;
        g_ptr_array_add (names, g_strdup (ifa->ifa_name));
    }
    freeifaddrs (list);

    g_ptr_array_sort (names, compare_names);
    /* Drop the duplicates, now adjacent. */
    for (guint i = 1; i < names->len;) {
        if (strcmp (g_ptr_array_index (names, i - 1), g_ptr_array_index (names, i)) == 0) {
            g_free (g_ptr_array_index (names, i));
            g_ptr_array_remove_index (names, i);
        } else {
            i++;
        }
    }
    g_ptr_array_add (names, NULL);
    return (char **) g_ptr_array_free (names, FALSE);
}
