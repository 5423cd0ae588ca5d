/* Kikan kiosk: undo what must not outlive `kikan`, even when it is stopped.
 *
 * A block device set read-only with BLKROSET gets its previous flag back,
 * and a terminal whose echo was turned off for a passphrase gets its
 * settings back: on the normal path by their owner, and on SIGINT, SIGTERM
 * and SIGHUP by the handler installed here, which undoes every registered
 * action (async-signal-safe calls only) and then lets the signal end the
 * process as it would have.
 */
#pragma once

#include <glib.h>
#include <termios.h>

/* Registers "set @fd's BLKROSET back to @previous".  Returns a slot for
 * kikan_signal_guard_forget(), or -1 when the table is full (the caller
 * must then not change the flag). */
int kikan_signal_guard_add_blkro (int fd, int previous);

/* Registers "tcsetattr (@fd, TCSAFLUSH, @saved)".  Same return value. */
int kikan_signal_guard_add_termios (int fd, const struct termios *saved);

/* Performs the action of @slot now and forgets it (the normal path).
 * Accepts -1. */
void kikan_signal_guard_undo (int slot);

/* From now on the first SIGINT, SIGTERM or SIGHUP does not end `kikan`:
 * it is recorded, and every live scan daemon is asked to stop
 * (kikan_scand_client_interrupt: each removes its temp dir and exits), so
 * that the blocked scan returns and the caller reports the interruption.
 * Not while a passphrase prompt is up, and never a second signal: those
 * end `kikan` as before (undoing every slot first). */
void kikan_signal_guard_defer (void);
/* The signal recorded since kikan_signal_guard_defer(), or 0. */
int kikan_signal_guard_get_caught (void);
