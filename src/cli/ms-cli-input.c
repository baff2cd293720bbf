/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mailsetup-cli"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "ms-cli-private.h"
#include "ms-error.h"
#include "ms-message.h"

/*
 * `send` reads its message as a stream, so that memory stays flat in the
 * message's size (docs/contract.md, "The outbox"): the header section is
 * kept in memory and parsed by ms_message_parse_sendmail(); the body goes
 * line by line, CRLF-canonical, into a scratch file in the outbox; then
 * the entry is written as the normalised header section followed by the
 * body, re-encoded as quoted-printable when a line is too long (the same
 * rules as ms_message_normalise(), which decides the headers).
 */

/* What sendmail accepts on standard input at most; a backup report or a log
 * excerpt is far smaller, and a runaway producer gets a clear error. */
#define INPUT_MAX_SIZE       (64 * 1024 * 1024)
#define HEADER_MAX_SIZE      (1024 * 1024)
#define CHUNK           (64 * 1024)

struct _MsCliInput
{
  gboolean        ignore_dots;
  gboolean        in_body;
  gboolean        first_line;
  gboolean        ended;
  gboolean        pending_cr;
  guint64         total;
  GString        *head;
  GByteArray     *line;
  GString        *pending;
  MsOutboxDraft  *body;
  gsize           longest;
  gboolean        body_utf8;
};

static void
ms_cli_input_free (MsCliInput *input)
{
  if (input == NULL)
    return;

  g_string_free (input->head, TRUE);
  g_byte_array_unref (input->line);
  g_string_free (input->pending, TRUE);
  g_clear_pointer (&input->body, ms_outbox_draft_free);
  g_free (input);
}


static gboolean
flush_body (MsCliInput  *input,
            GError     **error)
{
  gboolean ok = ms_outbox_draft_write (input->body, input->pending->str, input->pending->len,
                                       error);

  g_string_truncate (input->pending, 0);

  return ok;
}

static gboolean
add_body_line (MsCliInput  *input,
               const char  *line,
               gsize        length,
               GError     **error)
{
  input->longest = MAX (input->longest, length);
  if (input->body_utf8 && !g_utf8_validate_len (line, length, NULL))
    input->body_utf8 = FALSE;
  g_string_append_len (input->pending, line, length);
  g_string_append (input->pending, "\r\n");

  return input->pending->len < CHUNK || flush_body (input, error);
}

/* The header rule of ms_message_parse_sendmail(), line by line. */
static gboolean
is_header_line (MsCliInput *input,
                const char *line)
{
  if (input->first_line && g_str_has_prefix (line, "From ")
      && ms_message_header_name_length (line) == 0)
    return TRUE;   /* an mbox separator: the parser drops it */

  return ((line[0] == ' ' || line[0] == '\t') && input->head->len > 0)
         || ms_message_header_name_length (line) > 0;
}

static gboolean
add_line (MsCliInput  *input,
          GError     **error)
{
  const char *line;
  gsize length;

  g_byte_array_append (input->line, (const guint8 *) "", 1);
  line = (const char *) input->line->data;
  length = input->line->len - 1;

  if (!input->ignore_dots && g_str_equal (line, "."))
    input->ended = TRUE;
  else if (!input->in_body && line[0] == '\0')
    input->in_body = TRUE;
  else if (!input->in_body && is_header_line (input, line))
    {
      g_string_append_len (input->head, line, length);
      g_string_append (input->head, "\r\n");
    }
  else
    {
      input->in_body = TRUE;
      if (!add_body_line (input, line, length, error))
        return FALSE;
    }

  input->first_line = FALSE;
  g_byte_array_set_size (input->line, 0);

  if (input->head->len > HEADER_MAX_SIZE)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                   _("The message's header section is larger than %d MiB."),
                   HEADER_MAX_SIZE / (1024 * 1024));
      return FALSE;
    }

  return TRUE;
}

/* Line ends as the parser reads them: CRLF, bare CR or bare LF. */
static gboolean
feed (MsCliInput  *input,
      const char  *data,
      gsize        length,
      GError     **error)
{
  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                           _("The message contains a NUL byte, which mail cannot carry."));
      return FALSE;
    }

  for (gsize i = 0; i < length && !input->ended; i++)
    {
      char c = data[i];

      if (input->pending_cr && c == '\n')
        {
          input->pending_cr = FALSE;
          continue;
        }
      input->pending_cr = c == '\r';
      if (c != '\r' && c != '\n')
        {
          gsize run = i;

          while (run < length && data[run] != '\r' && data[run] != '\n')
            run++;
          g_byte_array_append (input->line, (const guint8 *) data + i, run - i);
          i = run - 1;
          continue;
        }
      if (!add_line (input, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_all (MsCliInput  *input,
          int          fd,
          GError     **error)
{
  g_autofree char *chunk = g_malloc (CHUNK);

  for (;;)
    {
      gssize n = read (fd, chunk, CHUNK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                       _("Could not read the message from standard input: %s"), g_strerror (errno));
          return FALSE;
        }
      if (n == 0)
        break;
      input->total += n;
      if (input->total > INPUT_MAX_SIZE)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                       _("The message on standard input is larger than %d MiB."),
                       INPUT_MAX_SIZE / (1024 * 1024));
          return FALSE;
        }
      /* After the single dot the rest is read and dropped, so that the
       * producer is not killed by SIGPIPE. */
      if (!input->ended && !feed (input, chunk, n, error))
        return FALSE;
    }

  if (input->line->len > 0 && !input->ended && !add_line (input, error))
    return FALSE;

  return flush_body (input, error);
}

/**
 * ms_cli_input_read:
 * @outbox: where the body's scratch file goes
 * @fd: the message, as sendmail reads it
 * @ignore_dots: -i / -oi
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the message read; errors:
 *   invalid-input, and the outbox's errors for its scratch file
 */
MsCliInput *
ms_cli_input_read (MsOutbox  *outbox,
                   int        fd,
                   gboolean   ignore_dots,
                   GError   **error)
{
  g_autoptr(MsCliInput) input = g_new0 (MsCliInput, 1);


  input->ignore_dots = ignore_dots;
  input->first_line = TRUE;
  input->body_utf8 = TRUE;
  input->head = g_string_new (NULL);
  input->line = g_byte_array_new ();
  input->pending = g_string_sized_new (CHUNK + 1024);
  input->body = ms_outbox_draft_new (outbox, error);
  if (input->body == NULL || !read_all (input, fd, error))
    return NULL;

  return g_steal_pointer (&input);
}

/**
 * ms_cli_input_parse:
 * @input: a message read
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): its header section, parsed, with a
 *   stand-in body that leads ms_message_normalise() to the same headers as
 *   the real one would; errors: invalid-input
 */
MsMessageInput *
ms_cli_input_parse (MsCliInput  *input,
                    GError     **error)
{
  g_autoptr(GBytes) head = g_bytes_new (input->head->str, input->head->len);
  MsMessageInput *parsed = ms_message_parse_sendmail (head, TRUE, error);
  g_autoptr(GString) stand_in = g_string_new (NULL);

  if (parsed == NULL)
    return NULL;

  if (input->longest > MS_MESSAGE_MAX_LINE)
    {
      for (gsize i = 0; i <= MS_MESSAGE_MAX_LINE; i++)
        g_string_append_c (stand_in, input->body_utf8 ? 'a' : '\xff');
      g_string_append (stand_in, "\r\n");
    }
  g_clear_pointer (&parsed->body, g_bytes_unref);
  parsed->body = g_bytes_new (stand_in->str, stand_in->len);

  return parsed;
}

static gboolean
copy_body (MsOutboxDraft  *entry,
           GInputStream   *body,
           GError        **error)
{
  g_autofree char *chunk = g_malloc (CHUNK);
  g_autoptr(GError) local_error = NULL;

  for (;;)
    {
      gssize n = g_input_stream_read (body, chunk, CHUNK, NULL, &local_error);

      if (n < 0)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_INTERNAL, "%s", local_error->message);
          return FALSE;
        }
      if (n == 0)
        return TRUE;
      if (!ms_outbox_draft_write (entry, chunk, n, error))
        return FALSE;
    }
}

static char *
line_with_crlf (const char *line,
                      gsize       length)
{
  char *text = g_malloc (length + 3);

  memcpy (text, line, length);
  memcpy (text + length, "\r\n", 3);

  return text;
}

/* Quoted-printable is line-local, so each line is encoded on its own. */
static gboolean
copy_body_as_qp (MsOutboxDraft  *entry,
                 GInputStream   *body,
                 GError        **error)
{
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (body);
  g_autoptr(GError) local_error = NULL;

  for (;;)
    {
      gsize length;
      g_autofree char *line = g_data_input_stream_read_upto (lines, "\n", 1, &length, NULL,
                                                             &local_error);
      g_autoptr(GBytes) one = NULL;
      g_autoptr(GBytes) encoded = NULL;
      gsize encoded_length;
      const char *data;

      if (line == NULL && local_error == NULL)
        return TRUE;
      if (line == NULL || g_data_input_stream_read_byte (lines, NULL, &local_error) != '\n')
        {
          g_set_error (error, MS_ERROR, MS_ERROR_INTERNAL, "%s",
                       local_error ? local_error->message : "truncated body");
          return FALSE;
        }
      if (length > 0 && line[length - 1] == '\r')
        length--;
      one = g_bytes_new_take (line_with_crlf (line, length), length + 2);
      encoded = ms_message_encode_quoted_printable (one);
      data = g_bytes_get_data (encoded, &encoded_length);
      if (!ms_outbox_draft_write (entry, data, encoded_length, error))
        return FALSE;
      if ((encoded_length == 0 || data[encoded_length - 1] != '\n')
          && !ms_outbox_draft_write (entry, "\r\n", 2, error))
        return FALSE;
    }
}

/**
 * ms_cli_input_compose:
 * @input: a message read
 * @normalised: ms_message_normalise() of ms_cli_input_parse()'s result
 * @outbox: the outbox
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a draft holding the message as it
 *   goes on the wire: the normalised header section, then the body;
 *   errors: internal, and the outbox's errors
 */
MsOutboxDraft *
ms_cli_input_compose (MsCliInput  *input,
                      GBytes      *normalised,
                      MsOutbox    *outbox,
                      GError     **error)
{
  g_autoptr(MsOutboxDraft) entry = ms_outbox_draft_new (outbox, error);
  g_autoptr(GInputStream) body = NULL;
  gsize length;
  const char *data = g_bytes_get_data (normalised, &length);
  const char *end = g_strstr_len (data, length, "\r\n\r\n");

  g_assert (end != NULL);
  if (entry == NULL || !ms_outbox_draft_write (entry, data, end + 4 - data, error))
    return NULL;

  body = ms_outbox_draft_read (input->body, error);
  if (body == NULL)
    return NULL;
  if (input->longest > MS_MESSAGE_MAX_LINE ? !copy_body_as_qp (entry, body, error)
                                           : !copy_body (entry, body, error))
    return NULL;

  return g_steal_pointer (&entry);
}

void
ms_cli_input_close (MsCliInput *input)
{
  ms_cli_input_free (input);
}
