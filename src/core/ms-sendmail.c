/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-sendmail"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "ms-account-store.h"
#include "ms-error.h"
#include "ms-sendmail.h"
#include "ms-session-bus.h"

/* RFC 3461 4.4: ENVID is at most 100 characters. */
#define MS_DSN_ENVID_MAX 100

void
ms_sendmail_args_free (MsSendmailArgs *args)
{
  if (args == NULL)
    return;

  g_free (args->sender);
  g_free (args->full_name);
  g_free (args->dsn_notify);
  g_free (args->dsn_ret);
  g_free (args->dsn_envid);
  g_strfreev (args->rest);
  g_free (args);
}

static gboolean
usage (GError    **error,
       const char *format,
       ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage (GError    **error,
       const char *format,
       ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, MS_ERROR, MS_ERROR_USAGE, message);

  return FALSE;
}

/* -N: "never", or a list of success, failure and delay (RFC 3461 4.1). */
static gboolean
parse_notify (MsSendmailArgs  *args,
              const char      *value,
              GError         **error)
{
  g_auto(GStrv) words = g_strsplit (value, ",", -1);
  g_autoptr(GString) notify = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = g_strstrip (words[i]);
      gboolean never = g_ascii_strcasecmp (word, "never") == 0;

      if ((!never && g_ascii_strcasecmp (word, "success") != 0
           && g_ascii_strcasecmp (word, "failure") != 0
           && g_ascii_strcasecmp (word, "delay") != 0)
          || (never && g_strv_length (words) > 1))
        return usage (error, _("-N takes never, or success, failure and delay separated by commas, not “%s”."),
                      value);
      g_string_append_printf (notify, "%s%s", notify->len > 0 ? "," : "", word);
    }

  g_free (args->dsn_notify);
  args->dsn_notify = g_ascii_strup (notify->str, -1);

  return TRUE;
}

/* RFC 3461 4: xtext, printable ASCII with "+" and "=" as "+XX". */
static gboolean
parse_envid (MsSendmailArgs  *args,
             const char      *value,
             GError         **error)
{
  g_autoptr(GString) xtext = g_string_new (NULL);

  if (value[0] == '\0' || strlen (value) > MS_DSN_ENVID_MAX)
    return usage (error, _("-V takes an envelope id of 1 to 100 characters."));
  for (const char *p = value; *p != '\0'; p++)
    {
      if ((guchar) *p < 33 || (guchar) *p > 126)
        return usage (error, _("-V takes printable ASCII without spaces, not “%s”."), value);
      if (*p == '+' || *p == '=')
        g_string_append_printf (xtext, "+%02X", (guchar) *p);
      else
        g_string_append_c (xtext, *p);
    }

  g_free (args->dsn_envid);
  args->dsn_envid = g_string_free (g_steal_pointer (&xtext), FALSE);

  return TRUE;
}

static gboolean
parse_mode (MsSendmailArgs  *args,
            const char      *value,
            GError         **error)
{
  if (g_str_equal (value, "m"))
    args->mode = MS_SENDMAIL_MODE_DELIVER;
  else if (g_str_equal (value, "p"))
    args->mode = MS_SENDMAIL_MODE_QUEUE_LIST;
  else if (g_str_equal (value, "s") || g_str_equal (value, "d") || g_str_equal (value, "t"))
    /* Translators: %s is -bs, -bd or -bt */
    return usage (error, _("-b%s is not supported: Mail Setup sends messages read on standard input and runs no mail server."),
                  value);
  else
    return usage (error, _("Unknown option “-b%s”."), value);

  return TRUE;
}

static gboolean
apply_value (MsSendmailArgs  *args,
             char             option,
             const char      *value,
             GError         **error)
{
  switch (option)
    {
    case 'f':
    case 'r':
      g_free (args->sender);
      args->sender = g_strdup (value);
      return TRUE;
    case 'F':
      g_free (args->full_name);
      args->full_name = g_strdup (value);
      return TRUE;
    case 'B':
      if (g_ascii_strcasecmp (value, "8BITMIME") != 0 && g_ascii_strcasecmp (value, "7BIT") != 0)
        return usage (error, _("-B takes 7BIT or 8BITMIME, not “%s”."), value);
      args->body_8bitmime = g_ascii_strcasecmp (value, "8BITMIME") == 0;
      return TRUE;
    case 'N':
      return parse_notify (args, value, error);
    case 'R':
      if (g_ascii_strcasecmp (value, "full") != 0 && g_ascii_strcasecmp (value, "hdrs") != 0)
        return usage (error, _("-R takes full or hdrs, not “%s”."), value);
      g_free (args->dsn_ret);
      args->dsn_ret = g_ascii_strup (value, -1);
      return TRUE;
    case 'V':
      return parse_envid (args, value, error);
    case 'b':
      return parse_mode (args, value, error);
    case 'o':
      /* -oi is -i; -oem, -odi and the other sendmail settings mean nothing here. */
      args->ignore_dots |= g_str_equal (value, "i");
      return TRUE;
    case 'L':
    default:
      return TRUE;
    }
}

static gboolean
apply_flag (MsSendmailArgs  *args,
            char             option,
            GError         **error)
{
  switch (option)
    {
    case 't':
      args->extract_recipients = TRUE;
      return TRUE;
    case 'i':
      args->ignore_dots = TRUE;
      return TRUE;
    case 'v':
      args->verbose = TRUE;
      return TRUE;
    default:
      return usage (error, _("Unknown option “-%c”."), option);
    }
}

/* One argument that starts with a single dash: getopt's rules, so a value
 * is the rest of the argument or, when that is empty, the next one. */
static gboolean
parse_cluster (MsSendmailArgs      *args,
               int                  argc,
               const char * const  *argv,
               int                 *index,
               GError             **error)
{
  const char *arg = argv[*index];

  for (const char *p = arg + 1; *p != '\0'; p++)
    {
      const char *value;

      /* -q15m: the interval means nothing to a queue without a daemon. */
      if (*p == 'q')
        {
          args->mode = MS_SENDMAIL_MODE_QUEUE_FLUSH;
          return TRUE;
        }
      if (strchr ("fFrBNRVbLo", *p) == NULL)
        {
          if (!apply_flag (args, *p, error))
            return FALSE;
          continue;
        }

      value = p[1] != '\0' ? p + 1 : *index + 1 < argc ? argv[++*index] : NULL;
      if (value == NULL)
        return usage (error, _("Option “-%c” needs a value."), *p);

      return apply_value (args, *p, value, error);
    }

  return TRUE;
}

/**
 * ms_sendmail_args_parse:
 * @argc: the number of arguments
 * @argv: the arguments after the program name (or after `send`)
 * @error: where to put an error
 *
 * See the header for the options.
 *
 * Errors: %MS_ERROR_USAGE, naming the option.
 *
 * Returns: (transfer full) (nullable): the options
 */
MsSendmailArgs *
ms_sendmail_args_parse (int                  argc,
                        const char * const  *argv,
                        GError             **error)
{
  g_autoptr(MsSendmailArgs) args = g_new0 (MsSendmailArgs, 1);
  g_autoptr(GStrvBuilder) rest = g_strv_builder_new ();

  g_return_val_if_fail (argc >= 0 && (argc == 0 || argv != NULL), NULL);

  for (int i = 0; i < argc; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--"))
        {
          for (; i < argc; i++)
            g_strv_builder_add (rest, argv[i]);
          break;
        }
      if (arg[0] != '-' || arg[1] == '\0' || arg[1] == '-')
        g_strv_builder_add (rest, arg);
      else if (!parse_cluster (args, argc, argv, &i, error))
        return NULL;
    }

  args->rest = g_strv_builder_end (rest);

  return g_steal_pointer (&args);
}

/* ---- local names in From, To and Cc ---- */

typedef struct
{
  const char *start;     /* the mailbox as written, trimmed */
  gsize       length;
  char       *phrase;    /* the display name as written before "<", or NULL */
  char       *comment;   /* the first comment's text, for "root (Cron Daemon)" */
  char       *address;
} Mailbox;

static void
mailbox_clear (Mailbox *mailbox)
{
  g_free (mailbox->phrase);
  g_free (mailbox->comment);
  g_free (mailbox->address);
}

/* Finds the end of a mailbox: the next "," outside quotes, comments and
 * angle brackets, or the end. Returns NULL for syntax this rewriting leaves
 * alone (a group, "name: a, b;"). */
static const char *
scan_mailbox (const char *p,
              Mailbox    *mailbox)
{
  int depth = 0;
  gboolean quoted = FALSE, in_angle = FALSE;

  while (*p == ' ' || *p == '\t')
    p++;
  mailbox->start = p;
  for (; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0' && (quoted || depth > 0))
        p++;
      else if (quoted)
        quoted = *p != '"';
      else if (depth > 0)
        depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == '(')
        depth = 1;
      else if (*p == '<' || *p == '>')
        in_angle = *p == '<';
      else if (*p == ':' && !in_angle)
        return NULL;
      else if (*p == ',' && !in_angle)
        break;
    }

  mailbox->length = p - mailbox->start;
  while (mailbox->length > 0 && g_ascii_isspace (mailbox->start[mailbox->length - 1]))
    mailbox->length--;

  return p;
}

/* The text of the comment that starts at @p ("(" included), unescaped. */
static char *
read_comment (const char  *p,
              const char **end)
{
  g_autoptr(GString) text = g_string_new (NULL);
  int depth = 1;

  for (p++; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '(')
        depth++;
      else if (*p == ')' && --depth == 0)
        break;
      g_string_append_c (text, *p);
    }
  *end = *p != '\0' ? p + 1 : p;

  return g_strstrip (g_string_free (g_steal_pointer (&text), FALSE));
}

/* Splits a scanned mailbox into its address and display name. */
static void
read_mailbox (Mailbox *mailbox)
{
  g_autofree char *text = g_strndup (mailbox->start, mailbox->length);
  g_autoptr(GString) address = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = text; *p != '\0';)
    {
      if (*p == '(' && !quoted)
        {
          g_autofree char *comment = read_comment (p, &p);

          if (mailbox->comment == NULL && comment[0] != '\0')
            mailbox->comment = g_steal_pointer (&comment);
          continue;
        }
      if (*p == '<' && !quoted)
        {
          const char *close = strchr (p, '>');

          mailbox->phrase = g_strstrip (g_strndup (text, p - text));
          if (mailbox->phrase[0] == '\0')
            g_clear_pointer (&mailbox->phrase, g_free);
          mailbox->address = g_strstrip (g_strndup (p + 1, close ? (gsize) (close - p - 1)
                                                                 : strlen (p + 1)));
          return;
        }
      quoted = *p == '"' ? !quoted : quoted;
      if (!g_ascii_isspace (*p) || quoted)
        g_string_append_c (address, *p);
      p++;
    }

  mailbox->address = g_string_free (g_steal_pointer (&address), FALSE);
}

static void
append_mailboxes (GString     *out,
                  Mailbox     *mailbox,
                  const char  *name,
                  char       **addresses)
{
  for (guint i = 0; addresses[i] != NULL; i++)
    {
      g_autofree char *formatted = NULL;

      if (out->len > 0)
        g_string_append (out, ", ");
      if (mailbox->phrase != NULL)
        {
          g_string_append_printf (out, "%s <%s>", mailbox->phrase, addresses[i]);
          continue;
        }
      formatted = ms_message_format_mailbox (name, addresses[i]);
      g_string_append (out, formatted);
    }
}

typedef struct
{
  MsAliases  *aliases;
  const char *own_address;
  const char *full_name;
} Rewrite;

/* The new value of an address header, or NULL when it has no local name. */
static char *
rewrite_value (const Rewrite *rewrite,
               const char    *value,
               gboolean       is_from)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean changed = FALSE;

  for (const char *p = value; *p != '\0';)
    {
      Mailbox mailbox = { 0 };
      const char *end = scan_mailbox (p, &mailbox);

      if (end == NULL)
        {
          mailbox_clear (&mailbox);
          return NULL;
        }
      read_mailbox (&mailbox);
      if (ms_address_is_local_name (mailbox.address))
        {
          g_auto(GStrv) addresses = NULL;
          const char *name = mailbox.comment;

          if (is_from)
            addresses = g_strdupv ((char *[]) { (char *) rewrite->own_address, NULL });
          else
            addresses = ms_aliases_resolve (rewrite->aliases, mailbox.address, rewrite->own_address);
          if (name == NULL && is_from && rewrite->full_name != NULL)
            name = rewrite->full_name;
          append_mailboxes (out, &mailbox, name ? name : mailbox.address, addresses);
          changed = TRUE;
        }
      else if (mailbox.length > 0)
        g_string_append_printf (out, "%s%.*s", out->len > 0 ? ", " : "", (int) mailbox.length,
                                mailbox.start);
      mailbox_clear (&mailbox);
      p = *end == ',' ? end + 1 : end;
    }

  return changed ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static void
append_header (GString    *out,
               const char *name,
               const char *value)
{
  g_string_append_printf (out, "%s: %s\r\n", name, value);
}

/**
 * ms_sendmail_rewrite_local_names:
 * @input: a parsed message
 * @aliases: the aliases for local names in To and Cc
 * @own_address: the account's address
 * @sender: the envelope sender, for a From that is missing
 * @full_name: (nullable): -F, the sender's full name
 *
 * See the header for the rules.
 *
 * Returns: (transfer full): the rewritten message
 */
MsMessageInput *
ms_sendmail_rewrite_local_names (MsMessageInput *input,
                                 MsAliases      *aliases,
                                 const char     *own_address,
                                 const char     *sender,
                                 const char     *full_name)
{
  Rewrite rewrite = { aliases, own_address, full_name };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  gsize body_length;
  const char *body;

  g_return_val_if_fail (input != NULL && aliases != NULL && own_address != NULL, NULL);

  for (guint i = 0; i < input->headers->len; i++)
    {
      const MsMessageHeader *header = g_ptr_array_index (input->headers, i);
      gboolean is_from = g_ascii_strcasecmp (header->name, "From") == 0;
      g_autofree char *value = NULL;

      if (is_from || g_ascii_strcasecmp (header->name, "To") == 0
          || g_ascii_strcasecmp (header->name, "Cc") == 0)
        value = rewrite_value (&rewrite, header->value, is_from);
      if (value != NULL)
        append_header (out, header->name, value);
      else
        g_string_append (out, header->raw);
    }

  if (ms_message_input_get_header (input, "From") == NULL && full_name != NULL)
    {
      g_autofree char *from = ms_message_format_mailbox (full_name, sender ? sender : own_address);

      append_header (out, "From", from);
    }

  g_string_append (out, "\r\n");
  body = g_bytes_get_data (input->body, &body_length);
  if (body_length > 0)
    g_string_append_len (out, body, body_length);
  bytes = g_string_free_to_bytes (g_steal_pointer (&out));

  /* The input was already checked for NUL, and its lone dots are body now. */
  return ms_message_parse_sendmail (bytes, TRUE, NULL);
}

/* ---- diagnose: can programs that call sendmail reach this account ---- */

static char *
describe_sendmail (const char *path,
                   gboolean   *ours)
{
  g_autofree char *target = realpath (path, NULL);
  g_autofree char *name = target ? g_path_get_basename (target) : NULL;

  *ours = name != NULL && g_str_equal (name, "mailsetup-cli");
  if (target == NULL)
    /* Translators: %s is /usr/sbin/sendmail */
    return g_strdup_printf (_("There is no %s: cron and the other programs that send mail with it cannot send."),
                            path);
  if (*ours)
    return g_strdup_printf (_("%s is Mail Setup: cron, mdadm, smartd and the other programs that call it send with this account."),
                            path);
  /* Translators: the first %s is /usr/sbin/sendmail, the second the program it is, e.g. /usr/sbin/exim4 */
  return g_strdup_printf (_("%s is another mail program (%s): programs that call it do not use this account."),
                          path, target);
}

static gboolean
links_installed (const char *sbindir)
{
  const char *names[] = { "sendmail", "mailq", "newaliases" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *link = g_build_filename (sbindir, names[i], NULL);
      g_autofree char *target = realpath (link, NULL);
      g_autofree char *name = target ? g_path_get_basename (target) : NULL;

      if (g_strcmp0 (name, "mailsetup-cli") != 0)
        return FALSE;
    }

  return TRUE;
}

/**
 * ms_sendmail_add_check:
 * @result: a diagnose result
 * @system: where to look
 *
 * Adds the check "sendmail": which sendmail the system has (Mail Setup,
 * another mail program, none), whether the `sendmail`, `mailq` and
 * `newaliases` links are installed, whether a job without a session bus
 * (cron) would find one, and the aliases entries that are skipped. A
 * warning, never the result's error: sending itself does not depend on it.
 */
void
ms_sendmail_add_check (MsResult               *result,
                       const MsSendmailSystem *system)
{
  g_autoptr(GString) message = g_string_new (NULL);
  g_autofree char *which = NULL;
  g_autofree char *bus = NULL;
  g_autofree char *why_not = NULL;
  g_autofree char *config_dir = ms_account_store_find_config_dir (system->config_dir);
  g_autoptr(MsAliases) aliases = ms_aliases_load (config_dir, NULL);
  gboolean ours = FALSE;
  guint skipped = 0;

  g_return_if_fail (result != NULL && system != NULL);

  which = describe_sendmail (system->sendmail_path, &ours);
  g_string_append (message, which);

  /* The links matter where the system's sendmail is not ours already. */
  if (!ours)
    {
      g_string_append_c (message, ' ');
      if (links_installed (system->sbindir))
        /* Translators: %s is a folder such as /usr/sbin */
        g_string_append_printf (message, _("The sendmail, mailq and newaliases links are installed in %s."),
                                system->sbindir);
      else
        g_string_append_printf (message, _("The sendmail, mailq and newaliases links are not installed in %s."),
                                system->sbindir);
    }

  bus = system->sealed_secret ? g_strdup ("")
                               : ms_session_bus_find_address (NULL, system->users_dir, system->uid,
                                                              &why_not);
  g_string_append_c (message, ' ');
  if (system->sealed_secret)
    g_string_append (message, _("A job needs no session bus for a system account: its password is sealed on this machine."));
  else if (bus != NULL)
    /* Translators: %s is a socket such as /run/user/1000/bus */
    g_string_append_printf (message, _("A job without a session bus, as cron starts it, finds yours at %s."),
                            bus + strlen ("unix:path="));
  else
    /* Translators: %s says why, e.g. "/run/user/1000/bus does not exist." */
    g_string_append_printf (message, _("A job without a session bus, as cron starts it, would not find one: %s"),
                            why_not);

  for (const char * const *w = aliases ? ms_aliases_get_warnings (aliases) : NULL; w && *w; w++, skipped++)
    g_string_append_printf (message, " %s", *w);

  ms_result_add_check (result, "sendmail", (ours && bus && skipped == 0) ? MS_CHECK_INFO : MS_CHECK_WARNING,
                       ours && bus != NULL && skipped == 0,
                       _("Programs that call sendmail"), message->str);
}
