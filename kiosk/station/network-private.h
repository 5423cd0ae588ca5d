/* Kikan kiosk: the kiosk's network interfaces that are up (KR-38).
 *
 * A clearance kiosk is offline by design: a medium under inspection must
 * have no path out.  The station's self-test warns IT of any interface
 * other than loopback that is up and running; docs/station.md says how to
 * take it down for good. */
#pragma once

#include <glib.h>

/* The names of the interfaces other than loopback that are up and running
 * (IFF_UP and IFF_RUNNING), sorted, each once; empty when the kiosk is
 * offline as it must be.  Free with g_strfreev.  An interface list that
 * cannot be read gives NULL (the caller says so rather than "offline"). */
char **kikan_network_dup_interfaces_up (void);
