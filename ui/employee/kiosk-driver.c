/* Kikan kiosk UI: the driver of the employee flow (kiosk-driver.h).
 *
 * This first cut carries the session from the welcome page through
 * identification; the pages after it are registered in page_types[] as
 * they land. */
#include "kiosk-driver.h"

#include "kiosk-i18n.h"
#include "kiosk-window.h"
#include "welcome-page.h"

struct _KikanDriver {
    GObject parent_instance;

    KikanKioskWindow *window; /* borrowed: the window owns the driver */
    KikanCheckin *checkin;
    GSimpleActionGroup *actions;
    GPtrArray *flow;          /* char*: page ids, NULL-terminated */
    guint page;               /* index into flow */
    char *problem;
};

G_DEFINE_FINAL_TYPE (KikanDriver, kikan_driver, G_TYPE_OBJECT)

enum { PROP_0, PROP_FLOW, PROP_PAGE_ID, PROP_PROBLEM, N_PROPS };
static GParamSpec *props[N_PROPS];

typedef GType (*PageTypeFunc) (void);

/* Which page type draws which page id. */
static const struct {
    const char *id;
    PageTypeFunc type;
} page_types[] = {
    { "welcome", kikan_welcome_page_get_type },
};

static void
set_problem (KikanDriver *self, const char *problem)
{
    if (g_strcmp0 (self->problem, problem) == 0)
        return;
    g_free (self->problem);
    self->problem = g_strdup (problem);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PROBLEM]);
}

static void
set_flow (KikanDriver *self, const char *const *ids, guint page)
{
    g_ptr_array_set_size (self->flow, 0);
    for (gsize i = 0; ids[i] != NULL; i++)
        g_ptr_array_add (self->flow, g_strdup (ids[i]));
    g_ptr_array_add (self->flow, NULL);
    self->page = page;
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FLOW]);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PAGE_ID]);
}

static void
go_to (KikanDriver *self, guint page)
{
    if (page + 1 >= self->flow->len || page == self->page)
        return;
    self->page = page;
    set_problem (self, NULL);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PAGE_ID]);
}

/* Back to the idle screen: nothing personal stays in memory or on screen
 * (KR-45). */
static void
reset (KikanDriver *self)
{
    static const char *const idle[] = { "welcome", "identify", NULL };

    g_clear_pointer (&self->checkin, kikan_checkin_free);
    set_problem (self, NULL);
    set_flow (self, idle, 0);
}

static void
action_start (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;

    go_to (self, 1);
}

static void
action_next (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;

    go_to (self, self->page + 1);
}

static void
action_back (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    KikanDriver *self = data;

    if (self->page > 0)
        go_to (self, self->page - 1);
}

static void
action_done (GSimpleAction *action, GVariant *parameter, gpointer data)
{
    reset (data);
}

static void
kikan_driver_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
    KikanDriver *self = KIKAN_DRIVER (object);

    switch (id) {
    case PROP_FLOW:
        g_value_set_boxed (value, kikan_driver_get_flow (self));
        break;
    case PROP_PAGE_ID:
        g_value_set_string (value, kikan_driver_get_page_id (self));
        break;
    case PROP_PROBLEM:
        g_value_set_string (value, self->problem);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
kikan_driver_dispose (GObject *object)
{
    KikanDriver *self = KIKAN_DRIVER (object);

    g_clear_pointer (&self->checkin, kikan_checkin_free);
    G_OBJECT_CLASS (kikan_driver_parent_class)->dispose (object);
}

static void
kikan_driver_finalize (GObject *object)
{
    KikanDriver *self = KIKAN_DRIVER (object);

    g_ptr_array_unref (self->flow);
    g_clear_object (&self->actions);
    g_free (self->problem);
    G_OBJECT_CLASS (kikan_driver_parent_class)->finalize (object);
}

static void
kikan_driver_class_init (KikanDriverClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);

    object_class->get_property = kikan_driver_get_property;
    object_class->dispose = kikan_driver_dispose;
    object_class->finalize = kikan_driver_finalize;
    props[PROP_FLOW] = g_param_spec_boxed ("flow", NULL, NULL, G_TYPE_STRV,
                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_PAGE_ID] = g_param_spec_string ("page-id", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_PROBLEM] = g_param_spec_string ("problem", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
kikan_driver_init (KikanDriver *self)
{
    self->flow = g_ptr_array_new_with_free_func (g_free);
}

KikanDriver *
kikan_driver_new (KikanKioskWindow *window)
{
    KikanDriver *self = g_object_new (KIKAN_TYPE_DRIVER, NULL);
    GSimpleActionGroup *group = g_simple_action_group_new ();
    const GActionEntry actions[] = {
        { .name = "start", .activate = action_start },
        { .name = "next", .activate = action_next },
        { .name = "back", .activate = action_back },
        { .name = "done", .activate = action_done },
    };

    self->window = window;
    self->actions = group;
    g_action_map_add_action_entries (G_ACTION_MAP (group), actions, G_N_ELEMENTS (actions), self);
    gtk_widget_insert_action_group (GTK_WIDGET (window), "checkin", G_ACTION_GROUP (group));
    reset (self);
    return self;
}

KikanKioskWindow *
kikan_driver_get_window (KikanDriver *self)
{
    return self->window;
}

KikanStation *
kikan_driver_get_station (KikanDriver *self)
{
    return kikan_kiosk_window_get_station (self->window);
}

KikanCheckin *
kikan_driver_get_checkin (KikanDriver *self)
{
    return self->checkin;
}

const char *const *
kikan_driver_get_flow (KikanDriver *self)
{
    return (const char *const *)self->flow->pdata;
}

const char *
kikan_driver_get_page_id (KikanDriver *self)
{
    return self->page + 1 < self->flow->len ? self->flow->pdata[self->page] : NULL;
}

KikanPage *
kikan_driver_create_page (KikanDriver *self, const char *page_id)
{
    for (gsize i = 0; i < G_N_ELEMENTS (page_types); i++)
        if (g_strcmp0 (page_types[i].id, page_id) == 0)
            return g_object_new (page_types[i].type (), "driver", self, NULL);
    return NULL;
}

const char *
kikan_driver_get_problem (KikanDriver *self)
{
    return self->problem;
}

void
kikan_driver_note_activity (KikanDriver *self)
{
}

GActionGroup *
kikan_driver_get_actions (KikanDriver *self)
{
    return G_ACTION_GROUP (self->actions);
}
