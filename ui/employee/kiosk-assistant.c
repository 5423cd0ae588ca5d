/* Kikan kiosk UI: the assistant of the employee flow (kiosk-assistant.h). */
#include "kiosk-assistant.h"

#include "kiosk-i18n.h"

struct _KikanAssistant {
    AdwBin parent_instance;

    KikanDriver *driver;
    KikanPage *current; /* borrowed: in the stack */
    gulong page_handler, flow_handler, problem_handler;
    GBinding *complete_binding;

    GtkStack *pages;
    GtkLabel *problem;
    GtkWidget *navigation;
    GtkWidget *back;
    GtkLabel *step;
    GtkWidget *next;
};

G_DEFINE_FINAL_TYPE (KikanAssistant, kikan_assistant, ADW_TYPE_BIN)

static void
on_navigation (KikanPage *page, GParamSpec *pspec, gpointer data)
{
    KikanAssistant *self = data;

    gtk_widget_set_visible (self->navigation, kikan_page_get_navigation (page));
}

static void
show_current (KikanAssistant *self)
{
    const char *id = kikan_driver_get_page_id (self->driver);
    const char *const *flow = kikan_driver_get_flow (self->driver);
    GtkWidget *page;
    guint n = 0, at = 0;

    if (id == NULL)
        return;
    if ((page = gtk_stack_get_child_by_name (self->pages, id)) == NULL) {
        KikanPage *made = kikan_driver_create_page (self->driver, id);

        if (made == NULL) {
            g_warning ("no page draws “%s”", id);
            return;
        }
        page = GTK_WIDGET (made);
        gtk_stack_add_named (self->pages, page, id);
    }
    if (self->current != NULL)
        g_signal_handlers_disconnect_by_func (self->current, on_navigation, self);
    g_clear_pointer (&self->complete_binding, g_binding_unbind);
    self->current = KIKAN_PAGE (page);
    self->complete_binding = g_object_bind_property (page, "complete", self->next, "sensitive",
                                                     G_BINDING_SYNC_CREATE);
    g_signal_connect (page, "notify::navigation", G_CALLBACK (on_navigation), self);
    on_navigation (self->current, NULL, self);
    gtk_stack_set_visible_child (self->pages, page);
    for (; flow[n] != NULL; n++)
        if (g_strcmp0 (flow[n], id) == 0)
            at = n;
    {
        /* TRANSLATORS: where the person is in the check-in, e.g. "Step 3 of 9". */
        g_autofree char *text = g_strdup_printf (_("Step %u of %u"), at + 1, n);

        gtk_label_set_text (self->step, text);
    }
    /* Not back past the first question: before it is a new visit. */
    gtk_widget_set_sensitive (self->back, at > 2);
    kikan_page_shown (self->current);
}

static void
on_page_id (KikanDriver *driver, GParamSpec *pspec, gpointer data)
{
    show_current (data);
}

/* A new run (back to the idle screen) starts with fresh pages: nothing
 * the last person typed or saw stays in a widget (KR-45). */
static void
on_flow (KikanDriver *driver, GParamSpec *pspec, gpointer data)
{
    KikanAssistant *self = data;
    const char *const *flow = kikan_driver_get_flow (driver);
    GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->pages));

    while (child != NULL) {
        GtkWidget *next = gtk_widget_get_next_sibling (child);
        const char *name = gtk_stack_page_get_name (gtk_stack_get_page (self->pages, child));

        if (flow[0] != NULL && kikan_driver_get_checkin (driver) == NULL
            && g_strcmp0 (name, "welcome") != 0) {
            if (child == GTK_WIDGET (self->current)) {
                g_signal_handlers_disconnect_by_func (self->current, on_navigation, self);
                g_clear_pointer (&self->complete_binding, g_binding_unbind);
                self->current = NULL;
            }
            gtk_stack_remove (self->pages, child);
        }
        child = next;
    }
}

static void
on_problem (KikanDriver *driver, GParamSpec *pspec, gpointer data)
{
    KikanAssistant *self = data;
    const char *problem = kikan_driver_get_problem (driver);

    gtk_label_set_text (self->problem, problem != NULL ? problem : "");
    gtk_widget_set_visible (GTK_WIDGET (self->problem), problem != NULL);
}

static void
kikan_assistant_dispose (GObject *object)
{
    KikanAssistant *self = KIKAN_ASSISTANT (object);

    if (self->driver != NULL) {
        g_clear_signal_handler (&self->page_handler, self->driver);
        g_clear_signal_handler (&self->flow_handler, self->driver);
        g_clear_signal_handler (&self->problem_handler, self->driver);
    }
    g_clear_pointer (&self->complete_binding, g_binding_unbind);
    g_clear_object (&self->driver);
    gtk_widget_dispose_template (GTK_WIDGET (self), KIKAN_TYPE_ASSISTANT);
    G_OBJECT_CLASS (kikan_assistant_parent_class)->dispose (object);
}

static void
kikan_assistant_class_init (KikanAssistantClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

    G_OBJECT_CLASS (klass)->dispose = kikan_assistant_dispose;
    gtk_widget_class_set_template_from_resource (widget_class,
                                                 "/jp/kikan/Kiosk/employee/kiosk-assistant.ui");
    gtk_widget_class_bind_template_child (widget_class, KikanAssistant, pages);
    gtk_widget_class_bind_template_child (widget_class, KikanAssistant, problem);
    gtk_widget_class_bind_template_child (widget_class, KikanAssistant, navigation);
    gtk_widget_class_bind_template_child (widget_class, KikanAssistant, back);
    gtk_widget_class_bind_template_child (widget_class, KikanAssistant, step);
    gtk_widget_class_bind_template_child (widget_class, KikanAssistant, next);
}

static void
kikan_assistant_init (KikanAssistant *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
kikan_assistant_new (KikanDriver *driver)
{
    KikanAssistant *self = g_object_new (KIKAN_TYPE_ASSISTANT, NULL);

    self->driver = g_object_ref (driver);
    self->page_handler = g_signal_connect (driver, "notify::page-id", G_CALLBACK (on_page_id),
                                           self);
    self->flow_handler = g_signal_connect (driver, "notify::flow", G_CALLBACK (on_flow), self);
    self->problem_handler = g_signal_connect (driver, "notify::problem",
                                              G_CALLBACK (on_problem), self);
    show_current (self);
    on_problem (driver, NULL, self);
    return GTK_WIDGET (self);
}

KikanPage *
kikan_assistant_get_current_page (KikanAssistant *self)
{
    return self->current;
}
