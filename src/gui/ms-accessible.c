/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-accessible"

#include "config.h"

#include "ms-accessible.h"

/*
 * What a screen reader reads, fixed where GTK 4.8 and libadwaita 1.2 get it
 * wrong, for every widget the moment it is mapped (docs/ui.md,
 * "Accessibility"):
 *
 * - a button whose label has a mnemonic is named twice, once by its label
 *   property (with the underscore) and once by its mnemonic label: only the
 *   mnemonic label stays, which reads the text without the underscore;
 * - an activatable list row has no action that assistive technology can
 *   invoke: it gets "row.activate", which activates it as Enter does;
 * - an expander row has no name, nor have the rows it holds that are not
 *   preferences rows (they get the expander's title);
 * - a menu button has no action: it gets "menu.open";
 * - an item of a list view (a combo row's current choice) has no name: it
 *   gets the text it shows;
 * - the pages a GtkStack or AdwSqueezer does not show stay in the accessible
 *   tree, so a screen reader would read the wizard's earlier pages, and a
 *   message dialog's buttons twice (it lays them out both ways): hidden.
 */

#define FIXED_KEY "ms-accessible-fixed"

static void
name_button_once (GtkButton *button)
{
  GtkWidget *child = gtk_button_get_child (button);


  /* A dialog's response buttons hold a mnemonic label of their own. */
  if ((gtk_button_get_use_underline (button) && gtk_button_get_label (button) != NULL)
      || (GTK_IS_LABEL (child) && gtk_label_get_use_underline (GTK_LABEL (child))))
    gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

static void
on_button_label_notify_cb (GtkButton  *button,
                           GParamSpec *pspec,
                           gpointer    user_data)
{
  name_button_once (button);
}

static void
on_row_activate_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkListBoxRow *row = user_data;

  if (gtk_list_box_row_get_activatable (row) && gtk_widget_is_sensitive (GTK_WIDGET (row)))
    gtk_widget_activate (GTK_WIDGET (row));
}

static void
add_row_action (GtkListBoxRow *row)
{
  g_autoptr(GSimpleActionGroup) group = NULL;
  g_autoptr(GSimpleAction) action = NULL;

  /* An entry row's activation only moves the focus into it. */
  if (g_object_get_data (G_OBJECT (row), FIXED_KEY) != NULL
      || !gtk_list_box_row_get_activatable (row) || GTK_IS_EDITABLE (row))
    return;
  g_object_set_data (G_OBJECT (row), FIXED_KEY, GINT_TO_POINTER (TRUE));
  group = g_simple_action_group_new ();
  action = g_simple_action_new ("activate", NULL);
  g_signal_connect_object (action, "activate", G_CALLBACK (on_row_activate_cb), row, 0);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
  gtk_widget_insert_action_group (GTK_WIDGET (row), "row", G_ACTION_GROUP (group));
}

static void
on_row_activatable_notify_cb (GtkListBoxRow *row,
                              GParamSpec    *pspec,
                              gpointer       user_data)
{
  add_row_action (row);
}

static void
on_open_menu_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  gtk_menu_button_popup (GTK_MENU_BUTTON (user_data));
}

static void
add_menu_action (GtkMenuButton *button)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) action = g_simple_action_new ("open", NULL);

  g_signal_connect_object (action, "activate", G_CALLBACK (on_open_menu_cb), button, 0);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
  gtk_widget_insert_action_group (GTK_WIDGET (button), "menu", G_ACTION_GROUP (group));
}

static void
name_after_title (GtkWidget      *widget,
                  AdwExpanderRow *expander)
{
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (expander));

  if (title != NULL && title[0] != '\0')
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                    -1);
}

static void
name_rows_inside (GtkWidget      *root,
                  AdwExpanderRow *expander)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX_ROW (child) && !ADW_IS_PREFERENCES_ROW (child))
        name_after_title (child, expander);
      name_rows_inside (child, expander);
    }
}

static void
on_label_notify_cb (GtkLabel   *label,
                    GParamSpec *pspec,
                    GtkWidget  *item)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (item),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, gtk_label_get_text (label),
                                  -1);
}

static GtkWidget *
find_label (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = GTK_IS_LABEL (child) ? child : find_label (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* An item of a list view or drop-down (a combo row's current choice) is
 * named after the text it shows. */
static void
name_list_item (GtkWidget *item)
{
  GtkWidget *label = find_label (item);

  if (label == NULL || g_object_get_data (G_OBJECT (item), FIXED_KEY) != NULL)
    return;
  g_object_set_data (G_OBJECT (item), FIXED_KEY, GINT_TO_POINTER (TRUE));
  g_signal_connect_object (label, "notify::label", G_CALLBACK (on_label_notify_cb), item, 0);
  on_label_notify_cb (GTK_LABEL (label), NULL, item);
}

static void
name_plain_row (GtkListBoxRow *row)
{
  GtkWidget *expander;

  if (ADW_IS_PREFERENCES_ROW (row))
    return;
  expander = gtk_widget_get_ancestor (GTK_WIDGET (row), ADW_TYPE_EXPANDER_ROW);
  if (expander != NULL)
    name_after_title (GTK_WIDGET (row), ADW_EXPANDER_ROW (expander));
}

static void
hide_other_pages (GtkWidget *stack)
{
  GtkWidget *visible = GTK_IS_STACK (stack) ? gtk_stack_get_visible_child (GTK_STACK (stack))
                       : adw_squeezer_get_visible_child (ADW_SQUEEZER (stack));

  for (GtkWidget *child = gtk_widget_get_first_child (stack); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_accessible_update_state (GTK_ACCESSIBLE (child),
                                 GTK_ACCESSIBLE_STATE_HIDDEN, child != visible,
                                 -1);
}

static void
on_stack_visible_child_notify_cb (GtkWidget  *stack,
                                  GParamSpec *pspec,
                                  gpointer    user_data)
{
  hide_other_pages (stack);
}

/* ms_accessible_fix:
 * Fixes @widget alone (not its children); idempotent. */
void
ms_accessible_fix (GtkWidget *widget)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (GTK_IS_BUTTON (widget))
    {
      name_button_once (GTK_BUTTON (widget));
      if (g_object_get_data (G_OBJECT (widget), FIXED_KEY) == NULL)
        {
          g_object_set_data (G_OBJECT (widget), FIXED_KEY, GINT_TO_POINTER (TRUE));
          g_signal_connect_after (widget, "notify::label",
                                  G_CALLBACK (on_button_label_notify_cb), NULL);
          g_signal_connect_after (widget, "notify::use-underline",
                                  G_CALLBACK (on_button_label_notify_cb), NULL);
        }
    }
  else if (GTK_IS_STACK (widget) || ADW_IS_SQUEEZER (widget))
    {
      if (g_object_get_data (G_OBJECT (widget), FIXED_KEY) == NULL)
        {
          g_object_set_data (G_OBJECT (widget), FIXED_KEY, GINT_TO_POINTER (TRUE));
          g_signal_connect (widget, "notify::visible-child",
                            G_CALLBACK (on_stack_visible_child_notify_cb), NULL);
        }
      hide_other_pages (widget);
    }
  else if (GTK_IS_LIST_BOX_ROW (widget))
    {
      if (g_object_get_data (G_OBJECT (widget), FIXED_KEY "-watch") == NULL)
        {
          g_object_set_data (G_OBJECT (widget), FIXED_KEY "-watch", GINT_TO_POINTER (TRUE));
          g_signal_connect (widget, "notify::activatable",
                            G_CALLBACK (on_row_activatable_notify_cb), NULL);
        }
      add_row_action (GTK_LIST_BOX_ROW (widget));
      name_plain_row (GTK_LIST_BOX_ROW (widget));
      if (ADW_IS_EXPANDER_ROW (widget))
        {
          /* Its rows are not mapped while it is collapsed, but are read. */
          name_after_title (widget, ADW_EXPANDER_ROW (widget));
          name_rows_inside (widget, ADW_EXPANDER_ROW (widget));
        }
    }
  else if (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget))
           == GTK_ACCESSIBLE_ROLE_LIST_ITEM)
    {
      name_list_item (widget);
    }
  else if (GTK_IS_MENU_BUTTON (widget))
    {
      if (g_object_get_data (G_OBJECT (widget), FIXED_KEY) == NULL)
        {
          g_object_set_data (G_OBJECT (widget), FIXED_KEY, GINT_TO_POINTER (TRUE));
          add_menu_action (GTK_MENU_BUTTON (widget));
        }
    }
}

static gboolean
on_widget_map_hook (GSignalInvocationHint *hint,
                    guint                  n_values,
                    const GValue          *values,
                    gpointer               user_data)
{
  ms_accessible_fix (g_value_get_object (&values[0]));
  return TRUE;
}

/* ms_accessible_install:
 * Fixes every widget of the process when it is first mapped. Called once,
 * at start-up. */
void
ms_accessible_install (void)
{
  static gsize installed;

  if (g_once_init_enter (&installed))
    {
      /* The class must exist before its signal can be looked up. */
      g_type_class_unref (g_type_class_ref (GTK_TYPE_WIDGET));
      g_signal_add_emission_hook (g_signal_lookup ("map", GTK_TYPE_WIDGET), 0,
                                  on_widget_map_hook, NULL, NULL);
      g_once_init_leave (&installed, 1);
    }
}
