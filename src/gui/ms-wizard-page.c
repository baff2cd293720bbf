/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-page"

#include "config.h"

#include "ms-wizard-page.h"

/*
 * MsWizardPage:
 * What every wizard page has: a title for the header bar, the label of the
 * main button, whether that button may be pressed, the field that gets the
 * focus, and the cancellable for the network work the page runs.
 */
typedef struct
{
  char         *title;
  char         *main_label;
  gboolean      valid;
  GtkWidget    *first_field;
  GCancellable *cancellable;
} MsWizardPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (MsWizardPage, ms_wizard_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_MAIN_LABEL,
  PROP_VALID,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
ms_wizard_page_real_enter (MsWizardPage *self)
{
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (self);

  if (priv->first_field != NULL)
    gtk_widget_grab_focus (priv->first_field);
}

static void
ms_wizard_page_real_leave (MsWizardPage *self)
{
  ms_wizard_page_cancel (self);
}

static gboolean
ms_wizard_page_real_activate (MsWizardPage *self)
{
  return FALSE;
}

static void
ms_wizard_page_real_clear (MsWizardPage *self)
{
}

static void
ms_wizard_page_dispose (GObject *object)
{
  MsWizardPage *self = MS_WIZARD_PAGE (object);
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (self);

  ms_wizard_page_cancel (self);
  g_clear_object (&priv->cancellable);
  priv->first_field = NULL;

  G_OBJECT_CLASS (ms_wizard_page_parent_class)->dispose (object);
}

static void
ms_wizard_page_finalize (GObject *object)
{
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (MS_WIZARD_PAGE (object));

  g_free (priv->title);
  g_free (priv->main_label);

  G_OBJECT_CLASS (ms_wizard_page_parent_class)->finalize (object);
}

static void
ms_wizard_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MsWizardPage *self = MS_WIZARD_PAGE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, ms_wizard_page_get_title (self));
      break;
    case PROP_MAIN_LABEL:
      g_value_set_string (value, ms_wizard_page_get_main_label (self));
      break;
    case PROP_VALID:
      g_value_set_boolean (value, ms_wizard_page_get_valid (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_wizard_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MsWizardPage *self = MS_WIZARD_PAGE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      ms_wizard_page_set_title (self, g_value_get_string (value));
      break;
    case PROP_MAIN_LABEL:
      ms_wizard_page_set_main_label (self, g_value_get_string (value));
      break;
    case PROP_VALID:
      ms_wizard_page_set_valid (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_wizard_page_class_init (MsWizardPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ms_wizard_page_dispose;
  object_class->finalize = ms_wizard_page_finalize;
  object_class->get_property = ms_wizard_page_get_property;
  object_class->set_property = ms_wizard_page_set_property;

  klass->enter = ms_wizard_page_real_enter;
  klass->leave = ms_wizard_page_real_leave;
  klass->activate = ms_wizard_page_real_activate;
  klass->clear = ms_wizard_page_real_clear;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAIN_LABEL] =
    g_param_spec_string ("main-label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The page's work is done and the wizard may move on by itself. */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 0);
}

static void
ms_wizard_page_init (MsWizardPage *self)
{
}

const char *
ms_wizard_page_get_title (MsWizardPage *self)
{
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (self);

  g_return_val_if_fail (MS_IS_WIZARD_PAGE (self), NULL);
  return priv->title;
}

void
ms_wizard_page_set_title (MsWizardPage *self,
                          const char   *title)
{
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (self);

  g_return_if_fail (MS_IS_WIZARD_PAGE (self));
  if (replace_string (&priv->title, title))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
ms_wizard_page_get_main_label (MsWizardPage *self)
{
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (self);

  g_return_val_if_fail (MS_IS_WIZARD_PAGE (self), NULL);
  return priv->main_label;
}

void
ms_wizard_page_set_main_label (MsWizardPage *self,
                               const char   *label)
{
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (self);

  g_return_if_fail (MS_IS_WIZARD_PAGE (self));
  if (replace_string (&priv->main_label, label))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAIN_LABEL]);
}

gboolean
ms_wizard_page_get_valid (MsWizardPage *self)
{
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (self);

  g_return_val_if_fail (MS_IS_WIZARD_PAGE (self), FALSE);
  return priv->valid;
}

void
ms_wizard_page_set_valid (MsWizardPage *self,
                          gboolean      valid)
{
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (self);

  g_return_if_fail (MS_IS_WIZARD_PAGE (self));
  valid = !!valid;
  if (priv->valid == valid)
    return;
  priv->valid = valid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
}

void
ms_wizard_page_set_first_field (MsWizardPage *self,
                                GtkWidget    *widget)
{
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (self);

  g_return_if_fail (MS_IS_WIZARD_PAGE (self));
  priv->first_field = widget;
}

void
ms_wizard_page_enter (MsWizardPage *self)
{
  g_return_if_fail (MS_IS_WIZARD_PAGE (self));
  MS_WIZARD_PAGE_GET_CLASS (self)->enter (self);
}

void
ms_wizard_page_leave (MsWizardPage *self)
{
  g_return_if_fail (MS_IS_WIZARD_PAGE (self));
  MS_WIZARD_PAGE_GET_CLASS (self)->leave (self);
}

gboolean
ms_wizard_page_activate (MsWizardPage *self)
{
  g_return_val_if_fail (MS_IS_WIZARD_PAGE (self), FALSE);
  return MS_WIZARD_PAGE_GET_CLASS (self)->activate (self);
}

void
ms_wizard_page_clear (MsWizardPage *self)
{
  g_return_if_fail (MS_IS_WIZARD_PAGE (self));
  MS_WIZARD_PAGE_GET_CLASS (self)->clear (self);
}

void
ms_wizard_page_finished (MsWizardPage *self)
{
  g_return_if_fail (MS_IS_WIZARD_PAGE (self));
  g_signal_emit (self, signals[FINISHED], 0);
}

/* ms_wizard_page_renew_cancellable:
 * Cancels the page's running work and returns the cancellable for the next
 * (owned by the page). */
GCancellable *
ms_wizard_page_renew_cancellable (MsWizardPage *self)
{
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (self);

  ms_wizard_page_cancel (self);
  g_clear_object (&priv->cancellable);
  priv->cancellable = g_cancellable_new ();
  return priv->cancellable;
}

void
ms_wizard_page_cancel (MsWizardPage *self)
{
  MsWizardPagePrivate *priv = ms_wizard_page_get_instance_private (self);

  if (priv->cancellable != NULL)
    g_cancellable_cancel (priv->cancellable);
}
