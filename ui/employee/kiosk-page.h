/* Kikan kiosk UI: one screen of the employee flow (issue #11 item 8).
 *
 * The model is gnome-initial-setup's GisPage: each page is a subclass
 * with its own .ui template; it says what its title is and whether it is
 * complete (the assistant's "Next" follows "complete"); it reads and
 * changes the check-in only through its driver (its actions and
 * getters), never through the scanner or the store directly.  Pages do
 * not move to each other: the driver decides what comes next.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _KikanDriver KikanDriver;

#define KIKAN_TYPE_PAGE (kikan_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (KikanPage, kikan_page, KIKAN, PAGE, AdwBin)

struct _KikanPageClass {
    AdwBinClass parent_class;

    /* The page became the one on screen: refresh from the driver. */
    void (*shown) (KikanPage *self);
};

KikanDriver *kikan_page_get_driver (KikanPage *self);

const char *kikan_page_get_title (KikanPage *self);
void kikan_page_set_title (KikanPage *self, const char *title);

gboolean kikan_page_get_complete (KikanPage *self);
void kikan_page_set_complete (KikanPage *self, gboolean complete);

/* Whether the assistant shows its Back / Next bar on this page
 * (property "navigation", TRUE by default; the welcome and result
 * pages have big buttons of their own). */
gboolean kikan_page_get_navigation (KikanPage *self);
void kikan_page_set_navigation (KikanPage *self, gboolean navigation);

void kikan_page_shown (KikanPage *self);

G_END_DECLS
