/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mailsetup-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n-lib.h>

#include "ms-cli-private.h"
#include "ms-error.h"
#include "ms-validate.h"

/*
 * `send` as programs call /usr/sbin/sendmail (docs/contract.md, "The
 * system's sendmail"): the sendmail option table, local names through the
 * aliases file, and the DSN and body-type requests for the engine.
 */

/**
 * ms_cli_sendmail_parse:
 * @options: the options being filled
 * @argc: the number of arguments after the command word
 * @argv: those arguments
 * @error: where to put a usage error
 *
 * Takes the sendmail options out of @argv into options->sendmail.
 *
 * Returns: (transfer full) (nullable): what is left for GOption: long
 *   options with their values and the recipients, in order
 */
char **
ms_cli_sendmail_parse (MsCliOptions  *options,
                       int            argc,
                       char         **argv,
                       GError       **error)
{
  g_clear_pointer (&options->sendmail, ms_sendmail_args_free);
  options->sendmail = ms_sendmail_args_parse (argc, (const char * const *) argv, error);
  if (options->sendmail == NULL)
    return NULL;

  return g_steal_pointer (&options->sendmail->rest);
}

/**
 * ms_cli_sendmail_apply:
 * @options: options parsed by GOption after ms_cli_sendmail_parse()
 *
 * Merges the sendmail options into the common ones: -f/-r, -t, -i, -v.
 */
void
ms_cli_sendmail_apply (MsCliOptions *options)
{
  MsSendmailArgs *args = options->sendmail;

  if (args->sender != NULL)
    {
      g_free (options->from);
      options->from = g_strdup (args->sender);
    }
  options->extract_recipients |= args->extract_recipients;
  options->ignore_dots |= args->ignore_dots;
  options->verbose |= args->verbose;
}

/**
 * ms_cli_sendmail_queue:
 * @options: the parsed options, with -bp or -q
 *
 * -bp (and the `mailq` name) is `queue list`, -q is `queue flush`.
 *
 * Returns: the exit status of the queue command
 */
int
ms_cli_sendmail_queue (MsCliOptions *options)
{
  const char *action = options->sendmail->mode == MS_SENDMAIL_MODE_QUEUE_LIST ? "list" : "flush";

  g_strfreev (options->args);
  options->args = g_strdupv ((char *[]) { (char *) action, NULL });
  options->command = "queue";

  return ms_cli_queue (options);
}

/**
 * ms_cli_sendmail_take_sender:
 * @options: the parsed options
 *
 * Takes -f out of @options, so that the request is built with the
 * account's own address; ms_cli_sendmail_prepare() puts it back.
 *
 * Returns: (transfer full) (nullable): the -f address
 */
char *
ms_cli_sendmail_take_sender (MsCliOptions *options)
{
  return g_steal_pointer (&options->from);
}

static void
print_warnings (MsAliases *aliases)
{
  const char * const *warnings = ms_aliases_get_warnings (aliases);

  for (guint i = 0; warnings[i] != NULL; i++)
    fprintf (stderr, "mailsetup-cli: %s\n", warnings[i]);
}

/**
 * ms_cli_sendmail_prepare:
 * @options: the parsed options
 * @request: a request built from the account, so request->from is the
 *   account's own address
 * @sender: (nullable): what ms_cli_sendmail_take_sender() took
 * @error: where to put an error
 *
 * Loads the aliases, sets the envelope sender (a local name becomes the
 * account's address; an address with a domain is used as given) and the
 * DSN and body-type requests.
 *
 * Returns: %TRUE on success; errors: invalid-input, config-invalid
 */
gboolean
ms_cli_sendmail_prepare (MsCliOptions  *options,
                         MsRequest     *request,
                         const char    *sender,
                         GError       **error)
{
  MsSendmailArgs *args = options->sendmail;

  /* The config folder in force: the user's, or /etc/mailsetup for root's jobs. */
  g_clear_pointer (&options->aliases, ms_aliases_free);
  options->aliases = ms_aliases_load (ms_cli_paths (options)->config_dir, error);
  if (options->aliases == NULL)
    return FALSE;
  print_warnings (options->aliases);

  /* Without a readable account (a held message) there is no own address. */
  if (ms_address_is_local_name (request->from))
    g_clear_pointer (&request->from, g_free);
  g_free (options->own_address);
  options->own_address = g_strdup (request->from);
  if (sender != NULL && !ms_address_is_local_name (sender))
    {
      if (!ms_validate_address (_("Sender (-f)"), sender, error))
        return FALSE;
      g_free (request->from);
      request->from = g_strdup (sender);
    }

  if (args != NULL)
    {
      request->dsn_notify = g_strdup (args->dsn_notify);
      request->dsn_ret = g_strdup (args->dsn_ret);
      request->dsn_envid = g_strdup (args->dsn_envid);
      request->body_8bitmime = args->body_8bitmime;
    }

  return TRUE;
}

/**
 * ms_cli_sendmail_rewrite:
 * @options: options after ms_cli_sendmail_prepare()
 * @request: the request
 * @input: (transfer full): the message as read
 *
 * Returns: (transfer full): the message with local names in From, To and
 *   Cc rewritten
 */
MsMessageInput *
ms_cli_sendmail_rewrite (MsCliOptions   *options,
                         MsRequest      *request,
                         MsMessageInput *input)
{
  g_autoptr(MsMessageInput) owned = input;

  /* No account could be read (the message is held): names stay as written. */
  if (options->own_address == NULL)
    return g_steal_pointer (&owned);

  return ms_sendmail_rewrite_local_names (owned, options->aliases, options->own_address,
                                          request->from,
                                          options->sendmail ? options->sendmail->full_name : NULL);
}

/**
 * ms_cli_sendmail_resolve:
 * @options: options after ms_cli_sendmail_prepare()
 * @recipients: (element-type utf8): the recipients; local names are
 *   replaced by their addresses, and each address is kept once
 */
void
ms_cli_sendmail_resolve (MsCliOptions *options,
                         GPtrArray    *recipients)
{
  g_autoptr(GPtrArray) resolved = g_ptr_array_new_with_free_func (g_free);

  if (options->own_address == NULL)
    return;

  for (guint i = 0; i < recipients->len; i++)
    {
      g_auto(GStrv) addresses = ms_aliases_resolve (options->aliases,
                                                    g_ptr_array_index (recipients, i),
                                                    options->own_address);

      for (guint j = 0; addresses[j] != NULL; j++)
        {
          gboolean seen = FALSE;

          for (guint k = 0; k < resolved->len && !seen; k++)
            seen = g_ascii_strcasecmp (g_ptr_array_index (resolved, k), addresses[j]) == 0;
          if (!seen)
            g_ptr_array_add (resolved, g_steal_pointer (&addresses[j]));
        }
    }

  g_ptr_array_set_size (recipients, 0);
  for (guint i = 0; i < resolved->len; i++)
    g_ptr_array_add (recipients, g_steal_pointer (&resolved->pdata[i]));
}
