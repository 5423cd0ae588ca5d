/* Kikan kiosk: the one-line progress bar of `kikan scan` on a terminal.
 *
 * Drawn on stderr, redrawn in place with "\r" and "erase to end of line",
 * at most ten times a second.  Anything else printed while the bar is
 * shown must call kikan_progress_bar_clear() first.
 */
#pragma once

#include <stdio.h>
#include <glib.h>

#include "kikan/scand.h"

typedef struct KikanProgressBar KikanProgressBar;

/* @out must be a terminal. */
KikanProgressBar *kikan_progress_bar_new (FILE *out);
void kikan_progress_bar_free (KikanProgressBar *self);  /* clears the line; accepts NULL */

/* A new target begins: @label (hostile, escaped here) is shown first. */
void kikan_progress_bar_start (KikanProgressBar *self, const char *label);
void kikan_progress_bar_update (KikanProgressBar *self, const KikanProgress *p);
/* Erases the bar so that a line can be printed; the next update redraws it. */
void kikan_progress_bar_clear (KikanProgressBar *self);

/* The text of the bar for @p, @elapsed seconds after the start, fitted to
 * @width columns.  Exposed for tests.  Free it. */
char *kikan_progress_bar_format (const KikanProgress *p, double elapsed, guint width);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanProgressBar, kikan_progress_bar_free)
