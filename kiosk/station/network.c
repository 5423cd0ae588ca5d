/* Kikan kiosk: the kiosk's network interfaces that are up (network-private.h). */
#include "network-private.h"

#include <ifaddrs.h>
#include <net/if.h>

static int
compare_names (gconstpointer a, gconstpointer b)
{
    return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

char **
kikan_network_dup_interfaces_up (void)
{
    struct ifaddrs *list = NULL;
    g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

    if (getifaddrs (&list) != 0)
        return NULL;
    /* getifaddrs() gives one entry per address family of an interface:
     * the same name comes back for its link, IPv4 and IPv6 entries. */
    for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next) {
        gboolean seen = FALSE;

        if (i->ifa_name == NULL || (i->ifa_flags & IFF_LOOPBACK) != 0
            || (i->ifa_flags & (IFF_UP | IFF_RUNNING)) != (IFF_UP | IFF_RUNNING))
            continue;
        for (guint k = 0; k < names->len && !seen; k++)
            seen = g_str_equal (names->pdata[k], i->ifa_name);
        if (!seen)
            g_ptr_array_add (names, g_strdup (i->ifa_name));
    }
    freeifaddrs (list);
    g_ptr_array_sort (names, compare_names);
    g_ptr_array_add (names, NULL);
    return (char **)g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
