/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-header-title"

#include "config.h"

#include "ms-header-title.h"

/*
 * MsHeaderTitle:
 * A header bar's title and subtitle, like AdwWindowTitle (and styled as
 * one), but wrapped onto more lines where the header bar is narrow instead
 * of cut short with an ellipsis: at 360 px with large text, "Create an App
 * Password" or "Step 4 of 6" is read whole (docs/ui.md, "The rules").
 */
struct _MsHeaderTitle
{
  AdwBin  parent_instance;

  char   *title;
  char   *subtitle;
};

G_DEFINE_FINAL_TYPE (MsHeaderTitle, ms_header_title, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_SUBTITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Notifies only on change. */
static void
replace_text (MsHeaderTitle *self,
              char         **field,
              const char    *text,
              guint          prop_id)
{
  if (g_strcmp0 (*field, text) == 0)
    return;
  g_free (*field);
  *field = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static gboolean
has_text (MsHeaderTitle *self,
          const char    *text)
{
  return text != NULL && text[0] != '\0';
}

static void
ms_header_title_finalize (GObject *object)
{
  MsHeaderTitle *self = MS_HEADER_TITLE (object);

  g_free (self->title);
  g_free (self->subtitle);

  G_OBJECT_CLASS (ms_header_title_parent_class)->finalize (object);
}

static void
ms_header_title_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  MsHeaderTitle *self = MS_HEADER_TITLE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_header_title_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  MsHeaderTitle *self = MS_HEADER_TITLE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      ms_header_title_set_title (self, g_value_get_string (value));
      break;
    case PROP_SUBTITLE:
      ms_header_title_set_subtitle (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_header_title_class_init (MsHeaderTitleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ms_header_title_finalize;
  object_class->get_property = ms_header_title_get_property;
  object_class->set_property = ms_header_title_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SUBTITLE] =
    g_param_spec_string ("subtitle", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ms-header-title.ui");
  gtk_widget_class_bind_template_callback (widget_class, has_text);
  /* libadwaita's header bar styles its window title by this name. */
  gtk_widget_class_set_css_name (widget_class, "windowtitle");
}

static void
ms_header_title_init (MsHeaderTitle *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

const char *
ms_header_title_get_title (MsHeaderTitle *self)
{
  g_return_val_if_fail (MS_IS_HEADER_TITLE (self), NULL);
  return self->title;
}

void
ms_header_title_set_title (MsHeaderTitle *self,
                           const char    *title)
{
  g_return_if_fail (MS_IS_HEADER_TITLE (self));
  replace_text (self, &self->title, title, PROP_TITLE);
}

const char *
ms_header_title_get_subtitle (MsHeaderTitle *self)
{
  g_return_val_if_fail (MS_IS_HEADER_TITLE (self), NULL);
  return self->subtitle;
}

void
ms_header_title_set_subtitle (MsHeaderTitle *self,
                              const char    *subtitle)
{
  g_return_if_fail (MS_IS_HEADER_TITLE (self));
  replace_text (self, &self->subtitle, subtitle, PROP_SUBTITLE);
}
