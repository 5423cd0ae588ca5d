/* Kikan kiosk UI: one screen of the employee flow (kiosk-page.h). */
#include "kiosk-page.h"

#include "kiosk-driver.h"

typedef struct {
    KikanDriver *driver; /* borrowed: the driver outlives its pages */
    char *title;
    gboolean complete;
    gboolean navigation;
} KikanPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (KikanPage, kikan_page, ADW_TYPE_BIN)

enum { PROP_0, PROP_DRIVER, PROP_TITLE, PROP_COMPLETE, PROP_NAVIGATION, N_PROPS };
static GParamSpec *props[N_PROPS];

static void
kikan_page_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
    KikanPagePrivate *priv = kikan_page_get_instance_private (KIKAN_PAGE (object));

    switch (id) {
    case PROP_DRIVER:
        g_value_set_object (value, priv->driver);
        break;
    case PROP_TITLE:
        g_value_set_string (value, priv->title);
        break;
    case PROP_COMPLETE:
        g_value_set_boolean (value, priv->complete);
        break;
    case PROP_NAVIGATION:
        g_value_set_boolean (value, priv->navigation);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
kikan_page_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
    KikanPage *self = KIKAN_PAGE (object);
    KikanPagePrivate *priv = kikan_page_get_instance_private (self);

    switch (id) {
    case PROP_DRIVER:
        priv->driver = g_value_get_object (value);
        break;
    case PROP_TITLE:
        kikan_page_set_title (self, g_value_get_string (value));
        break;
    case PROP_COMPLETE:
        kikan_page_set_complete (self, g_value_get_boolean (value));
        break;
    case PROP_NAVIGATION:
        kikan_page_set_navigation (self, g_value_get_boolean (value));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
kikan_page_finalize (GObject *object)
{
    KikanPagePrivate *priv = kikan_page_get_instance_private (KIKAN_PAGE (object));

    g_free (priv->title);
    G_OBJECT_CLASS (kikan_page_parent_class)->finalize (object);
}

static void
kikan_page_class_init (KikanPageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);

    object_class->get_property = kikan_page_get_property;
    object_class->set_property = kikan_page_set_property;
    object_class->finalize = kikan_page_finalize;
    props[PROP_DRIVER] = g_param_spec_object ("driver", NULL, NULL, KIKAN_TYPE_DRIVER,
                                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                                                  | G_PARAM_STATIC_STRINGS);
    props[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                 | G_PARAM_STATIC_STRINGS);
    props[PROP_COMPLETE] = g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                     | G_PARAM_STATIC_STRINGS);
    props[PROP_NAVIGATION] = g_param_spec_boolean ("navigation", NULL, NULL, TRUE,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                       | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
kikan_page_init (KikanPage *self)
{
    KikanPagePrivate *priv = kikan_page_get_instance_private (self);

    priv->navigation = TRUE;
}

KikanDriver *
kikan_page_get_driver (KikanPage *self)
{
    KikanPagePrivate *priv = kikan_page_get_instance_private (self);

    return priv->driver;
}

const char *
kikan_page_get_title (KikanPage *self)
{
    KikanPagePrivate *priv = kikan_page_get_instance_private (self);

    return priv->title;
}

void
kikan_page_set_title (KikanPage *self, const char *title)
{
    KikanPagePrivate *priv = kikan_page_get_instance_private (self);

    if (g_strcmp0 (priv->title, title) == 0)
        return;
    g_free (priv->title);
    priv->title = g_strdup (title);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TITLE]);
}

gboolean
kikan_page_get_complete (KikanPage *self)
{
    KikanPagePrivate *priv = kikan_page_get_instance_private (self);

    return priv->complete;
}

void
kikan_page_set_complete (KikanPage *self, gboolean complete)
{
    KikanPagePrivate *priv = kikan_page_get_instance_private (self);

    if (priv->complete != !!complete) {
        priv->complete = !!complete;
        g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COMPLETE]);
    }
}

gboolean
kikan_page_get_navigation (KikanPage *self)
{
    KikanPagePrivate *priv = kikan_page_get_instance_private (self);

    return priv->navigation;
}

void
kikan_page_set_navigation (KikanPage *self, gboolean navigation)
{
    KikanPagePrivate *priv = kikan_page_get_instance_private (self);

    if (priv->navigation != !!navigation) {
        priv->navigation = !!navigation;
        g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NAVIGATION]);
    }
}

void
kikan_page_shown (KikanPage *self)
{
    KikanPageClass *klass = KIKAN_PAGE_GET_CLASS (self);

    if (klass->shown != NULL)
        klass->shown (self);
}
