/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-transcript"

#include "config.h"

#include "ms-transcript.h"

struct _MsTranscript
{
  MsResult         *result;
  MsTranscriptFunc  func;
  gpointer          func_data;
  char             *prefix;
};

/* Two probes of `--security auto` log at the same time from two threads:
 * the caller's function sees one line at a time. */
G_LOCK_DEFINE_STATIC (transcript_func);

/**
 * ms_transcript_new:
 * @result: the result whose transcript receives the lines
 * @func: (nullable): also called for every line, from the worker thread
 * @func_data: data for @func
 * @prefix: (nullable): put before every line given to @func ("[465/tls] ")
 *
 * Returns: (transfer full): a new transcript
 */
MsTranscript *
ms_transcript_new (MsResult         *result,
                   MsTranscriptFunc  func,
                   gpointer          func_data,
                   const char       *prefix)
{
  MsTranscript *transcript = g_new0 (MsTranscript, 1);

  transcript->result = ms_result_ref (result);
  transcript->func = func;
  transcript->func_data = func_data;
  transcript->prefix = g_strdup (prefix);

  return transcript;
}

void
ms_transcript_free (MsTranscript *transcript)
{
  if (transcript == NULL)
    return;

  ms_result_unref (transcript->result);
  g_free (transcript->prefix);
  g_free (transcript);
}

/**
 * ms_transcript_set_result:
 * @transcript: an #MsTranscript
 * @result: the result that receives the next lines
 *
 * For a connection that carries several operations, each with its result.
 */
void
ms_transcript_set_result (MsTranscript *transcript,
                          MsResult     *result)
{
  g_return_if_fail (transcript != NULL);
  g_return_if_fail (result != NULL);

  ms_result_ref (result);
  ms_result_unref (transcript->result);
  transcript->result = result;
}

static void
add_line (MsTranscript *transcript,
          const char   *line)
{
  ms_result_add_transcript (transcript->result, line);

  if (transcript->func == NULL)
    return;

  G_LOCK (transcript_func);
  if (transcript->prefix != NULL)
    {
      g_autofree char *prefixed = g_strconcat (transcript->prefix, line, NULL);

      transcript->func (prefixed, transcript->func_data);
    }
  else
    transcript->func (line, transcript->func_data);
  G_UNLOCK (transcript_func);
}

/**
 * ms_transcript_client:
 * @transcript: an #MsTranscript
 * @line: a command line the client sent, without CRLF; it must hold no secret
 */
void
ms_transcript_client (MsTranscript *transcript,
                      const char   *line)
{
  g_autofree char *escaped = ms_escape_server_text (line, -1);
  g_autofree char *text = g_strconcat ("C: ", escaped, NULL);

  add_line (transcript, text);
}

/**
 * ms_transcript_client_redacted:
 * @transcript: an #MsTranscript
 * @visible: (nullable): the part of the line that is no secret ("AUTH PLAIN")
 *
 * Logs a line whose secret part is replaced by `<redacted>`: the caller
 * never hands the secret to the transcript at all.
 */
void
ms_transcript_client_redacted (MsTranscript *transcript,
                               const char   *visible)
{
  g_autofree char *text = NULL;

  if (visible != NULL && *visible != '\0')
    text = g_strconcat ("C: ", visible, " <redacted>", NULL);
  else
    text = g_strdup ("C: <redacted>");

  add_line (transcript, text);
}

/**
 * ms_transcript_client_data:
 * @transcript: an #MsTranscript
 * @octets: the size of the message the client sent
 *
 * Message content is never logged, only its size.
 */
void
ms_transcript_client_data (MsTranscript *transcript,
                           gsize         octets)
{
  g_autofree char *text = g_strdup_printf ("C: <message, %" G_GSIZE_FORMAT " octets>",
                                           octets);

  add_line (transcript, text);
}

/**
 * ms_transcript_server_reply:
 * @transcript: an #MsTranscript
 * @reply: a reply the server sent
 *
 * Logs each line of @reply as "S: 250-text", escaped.
 */
void
ms_transcript_server_reply (MsTranscript      *transcript,
                            const MsSmtpReply *reply)
{
  guint n = reply->lines ? g_strv_length (reply->lines) : 0;

  if (n == 0)
    {
      g_autofree char *text = g_strdup_printf ("S: %03u", reply->code);

      add_line (transcript, text);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *escaped = ms_escape_server_text (reply->lines[i], -1);
      g_autofree char *text = g_strdup_printf ("S: %03u%c%s", reply->code,
                                               i + 1 < n ? '-' : ' ', escaped);

      add_line (transcript, text);
    }
}

/**
 * ms_transcript_event:
 * @transcript: an #MsTranscript
 * @format: printf format of the event ("TLS up: ...")
 *
 * Logs a "* ..." line.
 */
void
ms_transcript_event (MsTranscript *transcript,
                     const char   *format,
                     ...)
{
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  body = g_strdup_vprintf (format, args);
  va_end (args);

  text = g_strconcat ("* ", body, NULL);
  add_line (transcript, text);
}
