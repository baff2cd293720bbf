/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-password-buffer"

#include "config.h"

#include "ms-password-buffer.h"

/*
 * MsPasswordBuffer:
 * The text of a password field (ms-entry-row.c), kept in a
 * GtkPasswordEntryBuffer (memory that is not swapped out), but read back by
 * everyone as one star per character while the text is hidden.
 *
 * Why: GTK 4.8's AT-SPI bridge answers a screen reader's (or any other
 * accessibility client's) "GetText" on a password entry with the entry's
 * text, the password itself. The field's GtkText draws hidden text from the
 * length alone, so the stars change nothing on screen. The page reads the
 * password with ms_password_buffer_get_password(); "Show Text" reveals it.
 */

struct _MsPasswordBuffer
{
  GtkEntryBuffer  parent_instance;

  GtkEntryBuffer *store;      /* the password */
  gboolean        revealed;
};

G_DEFINE_FINAL_TYPE (MsPasswordBuffer, ms_password_buffer, GTK_TYPE_ENTRY_BUFFER)

/* What GtkEntryBuffer itself holds, and signals to the GtkText, is one star
 * per character of the password. */
static const char *
ms_password_buffer_get_text (GtkEntryBuffer *buffer,
                             gsize          *n_bytes)
{
  MsPasswordBuffer *self = MS_PASSWORD_BUFFER (buffer);

  if (!self->revealed)
    return GTK_ENTRY_BUFFER_CLASS (ms_password_buffer_parent_class)->get_text (buffer, n_bytes);
  if (n_bytes != NULL)
    *n_bytes = gtk_entry_buffer_get_bytes (self->store);
  return gtk_entry_buffer_get_text (self->store);
}

static guint
ms_password_buffer_insert_text (GtkEntryBuffer *buffer,
                                guint           position,
                                const char     *chars,
                                guint           n_chars)
{
  MsPasswordBuffer *self = MS_PASSWORD_BUFFER (buffer);
  guint inserted = gtk_entry_buffer_insert_text (self->store, position, chars, n_chars);
  g_autofree char *stars = g_strnfill (inserted, '*');

  return GTK_ENTRY_BUFFER_CLASS (ms_password_buffer_parent_class)->insert_text (buffer, position,
                                                                                stars, inserted);
}

static guint
ms_password_buffer_delete_text (GtkEntryBuffer *buffer,
                                guint           position,
                                guint           n_chars)
{
  MsPasswordBuffer *self = MS_PASSWORD_BUFFER (buffer);
  guint deleted = gtk_entry_buffer_delete_text (self->store, position, n_chars);

  return GTK_ENTRY_BUFFER_CLASS (ms_password_buffer_parent_class)->delete_text (buffer, position,
                                                                                deleted);
}

static void
ms_password_buffer_finalize (GObject *object)
{
  MsPasswordBuffer *self = MS_PASSWORD_BUFFER (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (ms_password_buffer_parent_class)->finalize (object);
}

static void
ms_password_buffer_class_init (MsPasswordBufferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkEntryBufferClass *buffer_class = GTK_ENTRY_BUFFER_CLASS (klass);

  object_class->finalize = ms_password_buffer_finalize;
  buffer_class->get_text = ms_password_buffer_get_text;
  buffer_class->insert_text = ms_password_buffer_insert_text;
  buffer_class->delete_text = ms_password_buffer_delete_text;
}

static void
ms_password_buffer_init (MsPasswordBuffer *self)
{
  self->store = gtk_password_entry_buffer_new ();
}

GtkEntryBuffer *
ms_password_buffer_new (void)
{
  return g_object_new (MS_TYPE_PASSWORD_BUFFER, NULL);
}

/* ms_password_buffer_get_password:
 * Returns: (transfer none): the password itself, valid until it changes. */
const char *
ms_password_buffer_get_password (MsPasswordBuffer *self)
{
  g_return_val_if_fail (MS_IS_PASSWORD_BUFFER (self), NULL);

  return gtk_entry_buffer_get_text (self->store);
}

/* ms_password_buffer_set_revealed:
 * Whether the buffer gives its real text to everyone: set it before the
 * GtkText shows the text (gtk_text_set_visibility()), so that it draws the
 * characters, and clear it once the text is hidden again. */
void
ms_password_buffer_set_revealed (MsPasswordBuffer *self,
                                 gboolean          revealed)
{
  g_return_if_fail (MS_IS_PASSWORD_BUFFER (self));

  self->revealed = revealed;
}
