/* Kikan kiosk: which network interfaces are up (KR-38).
 *
 * The kiosk is fully offline (KR-38): no interface but loopback may be
 * enabled.  The station's start-up self-test (KR-36, "network" check) and
 * the kiosk's status line ask this module which interfaces are up, and
 * warn on screen when the list is not empty.  The deployment keeps them
 * down in the first place (docs/deploy.md "Network off"); this is the
 * check that the deployment did its job, not the mechanism. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The names of the network interfaces other than loopback whose IFF_UP
 * flag is set (administratively up, with or without a carrier or an
 * address), each once, sorted by byte value; an empty vector when the
 * kiosk is offline as it must be.  Free with g_strfreev().
 *
 * The names are the kernel's raw bytes: Linux allows any byte but NUL,
 * '/', ':' and white space in them, so they may be invalid UTF-8 or hold
 * control characters; the caller escapes them before display
 * (kikan_escape_* in kiosk/common/escape-private.h).
 *
 * Returns NULL, with errno set, when the interfaces cannot be listed
 * (getifaddrs() failed): the caller must take that as a failed check,
 * never as "offline". */
char **kikan_network_dup_interfaces_up (void);

G_END_DECLS
