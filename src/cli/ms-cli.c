/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mailsetup-cli"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "ms-advice.h"
#include "ms-cli.h"
#include "ms-cli-private.h"
#include "ms-probe.h"
#include "ms-result-text.h"
#include "ms-sender.h"
#include "ms-session-bus.h"

typedef struct
{
  const char       *name;
  MsCliCommandFunc  func;
  MsCliOptionSet    options;
  const char       *synopsis;
} MsCliCommand;

static const MsCliCommand commands[] = {
  { "probe", ms_cli_probe, MS_CLI_OPTIONS_CONNECTION, "probe [HOST]" },
  { "login", ms_cli_login, MS_CLI_OPTIONS_CONNECTION, "login" },
  { "test-send", ms_cli_test_send, MS_CLI_OPTIONS_CONNECTION | MS_CLI_OPTIONS_TEST_SEND,
    "test-send [--from ADDR] [--to ADDR]" },
  { "account", ms_cli_account, MS_CLI_OPTIONS_CONNECTION | MS_CLI_OPTIONS_ADD,
    "account add|list|show|remove|set-default ..." },
  { "password", ms_cli_password, 0, "password ID" },
  { "online-accounts", ms_cli_online_accounts, 0, "online-accounts" },
  { "token", ms_cli_token, 0, "token ID" },
  { "send", ms_cli_send, MS_CLI_OPTIONS_SEND,
    "send [--account ID] [-f FROM] [-t] [-i|-oi] [--no-queue|--queue-only] [RCPT ...]" },
  { "queue", ms_cli_queue, MS_CLI_OPTIONS_QUEUE, "queue list|flush [--now] [ID ...]|show ID|drop ID" },
  { "diagnose", ms_cli_diagnose, MS_CLI_OPTIONS_DIAGNOSE, "diagnose ID [--send]" },
  { "export", ms_cli_export, MS_CLI_OPTIONS_EXPORT, "export ID --format msmtp|json" },
  { "providers", ms_cli_providers, 0, "providers" },
  { "detect", ms_cli_detect, 0, "detect ADDRESS" },
};

static const char usage_line[] =
  "mailsetup-cli [--config-dir DIR] [--json] [-v|--verbose] [--timeout SECONDS] COMMAND ...";

G_LOCK_DEFINE_STATIC (output);

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s: %s\n", _("Usage"), usage_line);
}

static void
print_help (void)
{
  print_usage (stdout);
  printf ("\n%s\n\n", _("Set up, check and use a mail account for sending from programs."));
  printf ("%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    printf ("  %s\n", commands[i].synopsis);
  printf ("\n%s\n", _("Global options:"));
  printf ("  --config-dir DIR    %s\n", _("Where accounts.ini lives"));
  printf ("  --system            %s\n", _("Use the system's accounts (root's jobs; the default for root)"));
  printf ("  --json              %s\n", _("Print the result as one JSON object"));
  printf ("  -v, --verbose       %s\n", _("Print the SMTP transcript on standard error"));
  printf ("  --timeout SECONDS   %s\n", _("Limit for each network step (default 20)"));
  printf ("  --help              %s\n", _("Show this help"));
  printf ("  --version           %s\n", _("Show the version"));
  printf ("\n%s\n", _("Connection options (probe, login, test-send, account add):"));
  printf ("  --account ID  --host HOST  --port N  --security tls|starttls|none|auto\n"
          "  --ca-file FILE  --pin sha256//B64  --user USER  --password-stdin\n");
  printf ("\n%s\n", _("A password is never taken from the command line or the environment."));
  printf ("%s\n", _("Run “mailsetup-cli COMMAND --help” for a command's options."));
}

/**
 * ms_cli_paths:
 * @options: the parsed options
 *
 * The folders and the mode in force for this run (ms_paths_new() from
 * --config-dir, --system, the environment and the uid), decided once.
 *
 * Returns: (transfer none): the paths
 */
const MsPaths *
ms_cli_paths (MsCliOptions *options)
{
  if (options->paths == NULL)
    options->paths = ms_paths_new (options->config_dir, options->system);

  return options->paths;
}

/**
 * ms_cli_usage_error:
 * @format: a printf format for what was wrong
 *
 * Prints the problem and the usage line on standard error.
 *
 * Returns: the contract's exit status for `usage` (64)
 */
int
ms_cli_usage_error (const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "mailsetup-cli: %s\n", message);
  print_usage (stderr);

  return ms_error_code_exit_status (MS_ERROR_USAGE);
}

/* Global options may come before the command; find the command word
 * without consuming option values ("--timeout 5 probe"). */
static int
find_command (int    argc,
              char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--config-dir") || g_str_equal (arg, "--timeout"))
        {
          i++;
          continue;
        }
      if (arg[0] != '-')
        return i;
    }

  return -1;
}

static const MsCliCommand *
lookup_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (commands[i].name, name))
        return &commands[i];
    }

  return NULL;
}

static void
add_entries (GOptionContext     *context,
             const GOptionEntry *entries)
{
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

static GOptionContext *
create_context (const MsCliCommand *command,
                MsCliOptions       *options)
{
  const GOptionEntry global_entries[] = {
    { "config-dir", 0, 0, G_OPTION_ARG_FILENAME, &options->config_dir, N_("Where accounts.ini lives"), N_("DIR") },
    { "system", 0, 0, G_OPTION_ARG_NONE, &options->system, N_("Use the system's accounts (root's jobs; the default for root)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options->json, N_("Print the result as one JSON object"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options->verbose, N_("Print the SMTP transcript on standard error"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &options->timeout_seconds, N_("Limit for each network step"), N_("SECONDS") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->args, NULL, NULL },
    { NULL }
  };
  const GOptionEntry connection_entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &options->account, N_("Start from a stored account"), N_("ID") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &options->host, N_("Server name or address"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &options->port, N_("Server port (1-65535)"), N_("N") },
    { "security", 0, 0, G_OPTION_ARG_STRING, &options->security, N_("tls, starttls, none or auto"), N_("MODE") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options->ca_file, N_("Extra trusted CA certificates (PEM)"), N_("FILE") },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &options->pin, N_("Accept the server key with this SPKI SHA-256"), N_("sha256//B64") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &options->user, N_("Login name"), N_("USER") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &options->password_stdin, N_("Read the password from the first line of standard input"), NULL },
    { NULL }
  };
  const GOptionEntry test_send_entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &options->from, N_("Sender address"), N_("ADDR") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &options->to, N_("Recipient (default: the sender)"), N_("ADDR") },
    { NULL }
  };
  const GOptionEntry add_entries_[] = {
    { "address", 0, 0, G_OPTION_ARG_STRING, &options->address, N_("The account's email address"), N_("ADDR") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &options->provider, N_("Provider id, or auto"), N_("NAME") },
    { "display-name", 0, 0, G_OPTION_ARG_STRING, &options->display_name, N_("Name shown to recipients"), N_("TEXT") },
    { "no-verify", 0, 0, G_OPTION_ARG_NONE, &options->no_verify, N_("Store without signing in first"), NULL },
    { "online-account", 0, 0, G_OPTION_ARG_STRING, &options->online_account, N_("Sign in through GNOME Online Accounts: its account id, or auto"), N_("GOA_ID") },
    { NULL }
  };
  const GOptionEntry send_entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &options->account, N_("Send with this account (default: the default account)"), N_("ID") },
    { "sender", 'f', 0, G_OPTION_ARG_STRING, &options->from, N_("Envelope sender"), N_("FROM") },
    { "read-recipients", 't', 0, G_OPTION_ARG_NONE, &options->extract_recipients, N_("Take recipients from To, Cc and Bcc"), NULL },
    { "ignore-dots", 'i', 0, G_OPTION_ARG_NONE, &options->ignore_dots, N_("A line with a single dot does not end the input"), NULL },
    { "no-queue", 0, 0, G_OPTION_ARG_NONE, &options->no_queue, N_("Keep nothing in the outbox: fail with the cause's exit status"), NULL },
    { "queue-only", 0, 0, G_OPTION_ARG_NONE, &options->queue_only, N_("Keep the message in the outbox without trying now"), NULL },
    { NULL }
  };
  const GOptionEntry queue_entries[] = {
    { "now", 0, 0, G_OPTION_ARG_NONE, &options->now, N_("Try every queued and held message now"), NULL },
    { NULL }
  };
  const GOptionEntry diagnose_entries[] = {
    { "send", 0, 0, G_OPTION_ARG_NONE, &options->send, N_("Also send a test message"), NULL },
    { NULL }
  };
  const GOptionEntry export_entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &options->format, N_("msmtp or json"), N_("FORMAT") },
    { NULL }
  };
  GOptionContext *context;
  g_autofree char *parameter = g_strdup_printf ("%s", command->synopsis);

  context = g_option_context_new (parameter);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  /* GOption copies the entry arrays, so stack arrays are fine here. */
  add_entries (context, global_entries);
  if (command->options & MS_CLI_OPTIONS_CONNECTION)
    add_entries (context, connection_entries);
  if (command->options & MS_CLI_OPTIONS_TEST_SEND)
    add_entries (context, test_send_entries);
  if (command->options & MS_CLI_OPTIONS_ADD)
    add_entries (context, add_entries_);
  if (command->options & MS_CLI_OPTIONS_SEND)
    add_entries (context, send_entries);
  if (command->options & MS_CLI_OPTIONS_DIAGNOSE)
    add_entries (context, diagnose_entries);
  if (command->options & MS_CLI_OPTIONS_EXPORT)
    add_entries (context, export_entries);
  if (command->options & MS_CLI_OPTIONS_QUEUE)
    add_entries (context, queue_entries);

  return context;
}

static void
ms_cli_options_clear (MsCliOptions *options)
{
  g_free (options->config_dir);
  g_clear_pointer (&options->paths, ms_paths_free);
  g_free (options->account);
  g_free (options->host);
  g_free (options->security);
  g_free (options->ca_file);
  g_free (options->pin);
  g_free (options->user);
  g_free (options->from);
  g_free (options->to);
  g_free (options->address);
  g_free (options->provider);
  g_free (options->display_name);
  g_free (options->format);
  g_clear_pointer (&options->sendmail, ms_sendmail_args_free);
  g_clear_pointer (&options->aliases, ms_aliases_free);
  g_free (options->own_address);
  g_strfreev (options->args);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MsCliOptions, ms_cli_options_clear)

/* A line break in any argument could start a second SMTP command or
 * header (docs/security.md, V1); none has a use, so none is taken. NUL
 * cannot reach a C argument at all. */
static gboolean
check_arguments (int      argc,
                 char   **argv,
                 GError **error)
{
  for (int i = 1; i < argc; i++)
    {
      if (strpbrk (argv[i], "\r\n") != NULL)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                       _("Argument %d holds a line break, which no argument may hold."), i);
          return FALSE;
        }
    }

  return TRUE;
}

static int
run_command (const MsCliCommand *command,
             int                 argc,
             char              **argv,
             int                 command_index)
{
  g_auto(MsCliOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(GStrv) sendmail_rest = NULL;
  g_autoptr(GError) error = NULL;
  char **parse_argv;
  int parse_argc;

  options.timeout_seconds = MS_DEFAULT_TIMEOUT_SECONDS;
  options.port = MS_CLI_PORT_UNSET;
  options.command = command->name;

  /* send takes the sendmail command line; GOption gets the rest. */
  if (command->options & MS_CLI_OPTIONS_SEND)
    {
      sendmail_rest = ms_cli_sendmail_parse (&options, argc - command_index - 1,
                                             argv + command_index + 1, &error);
      if (sendmail_rest == NULL)
        return ms_cli_usage_error ("%s", error->message);
    }

  for (int i = 0; i < argc; i++)
    {
      if (i == command_index && sendmail_rest != NULL)
        {
          for (guint j = 0; sendmail_rest[j] != NULL; j++)
            g_ptr_array_add (args, sendmail_rest[j]);
          break;
        }
      if (i != command_index)
        g_ptr_array_add (args, argv[i]);
    }
  g_ptr_array_add (args, NULL);
  parse_argv = (char **) args->pdata;
  parse_argc = args->len - 1;

  context = create_context (command, &options);
  if (!g_option_context_parse (context, &parse_argc, &parse_argv, &error))
    return ms_cli_usage_error ("%s", error->message);

  if (options.timeout_seconds <= 0 || options.timeout_seconds > 3600)
    return ms_cli_usage_error (_("--timeout takes a number of seconds from 1 to 3600."));
  if (!check_arguments (argc, argv, &error))
    return ms_cli_fail (&options, command->name, error);
  if (options.system && options.config_dir != NULL)
    return ms_cli_usage_error (_("--system and --config-dir exclude each other."));

  if (options.sendmail != NULL)
    {
      ms_cli_sendmail_apply (&options);
      if (options.sendmail->mode != MS_SENDMAIL_MODE_DELIVER)
        return ms_cli_sendmail_queue (&options);
    }

  return command->func (&options);
}

/* sendmail ARGS is `send ARGS`; mailq ARGS is `send -bp ARGS`. */
static int
run_as_sendmail (gboolean   is_mailq,
                 int        argc,
                 char     **argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, argv[0]);
  g_ptr_array_add (args, (char *) "send");
  if (is_mailq)
    g_ptr_array_add (args, (char *) "-bp");
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);

  return run_command (lookup_command ("send"), args->len - 1, (char **) args->pdata, 1);
}

static int
print_version (void)
{
  printf ("mailsetup-cli %s\n", PACKAGE_VERSION);

  return 0;
}

/**
 * ms_cli_main:
 * @argc: the argument count
 * @argv: the arguments
 *
 * Returns: the process exit status of docs/contract.md
 */
int
ms_cli_main (int    argc,
             char **argv)
{
  const MsCliCommand *command;
  g_autofree char *program = NULL;
  int command_index;

  setlocale (LC_ALL, "");
  /* MAILSETUP_LOCALEDIR lets build-aux/run and the tests use the build
   * folder's translations before anything is installed. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("MAILSETUP_LOCALEDIR") ? g_getenv ("MAILSETUP_LOCALEDIR")
                                                                    : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* A cron job has no session bus address: find the user's own bus, so the
   * keyring of the running session answers (docs/contract.md). */
  ms_session_bus_ensure_address ();

  /* Started through a `sendmail`, `mailq` or `newaliases` link. */
  program = g_path_get_basename (argv[0]);
  if (g_str_equal (program, "newaliases"))
    return 0;
  if (g_str_equal (program, "sendmail") || g_str_equal (program, "mailq"))
    return run_as_sendmail (g_str_equal (program, "mailq"), argc, argv);

  command_index = find_command (argc, argv);
  if (command_index < 0)
    {
      for (int i = 1; i < argc; i++)
        {
          if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
            {
              print_help ();
              return 0;
            }
          if (g_str_equal (argv[i], "--version"))
            return print_version ();
        }
      return ms_cli_usage_error (_("No command given."));
    }

  command = lookup_command (argv[command_index]);
  if (command == NULL)
    return ms_cli_usage_error (_("Unknown command “%s”."), argv[command_index]);

  return run_command (command, argc, argv, command_index);
}

static char *
describe_step (const MsResult *result,
               const MsStep   *step)
{
  if (step->addresses != NULL)
    return g_strjoinv (", ", step->addresses);
  if (step->address != NULL)
    return g_strdup (step->address);
  if (step->kind == MS_STEP_TLS && result->tls != NULL && step->ok)
    {
      g_autofree char *until = result->tls->not_after
                               ? g_date_time_format (result->tls->not_after, "%Y-%m-%d")
                               : g_strdup ("?");

      /* Translators: TLS version, cipher suite, certificate subject, expiry date */
      return g_strdup_printf (_("%s, %s; certificate %s valid until %s%s"),
                              result->tls->version, result->tls->cipher,
                              result->tls->subject, until,
                              result->tls->pinned ? _(" (trusted by pin)") : "");
    }
  if (step->reply != NULL)
    return g_strdup (step->reply);
  return g_strdup (step->detail ? step->detail : "");
}

/**
 * ms_cli_pad:
 * @text: a label
 * @columns: the width to fill
 *
 * Pads @text with spaces to @columns terminal columns, counting wide
 * (Japanese) characters as two, so tables line up in every language.
 *
 * Returns: (transfer full): the padded text
 */
char *
ms_cli_pad (const char *text,
            guint       columns)
{
  GString *padded = g_string_new (text);
  guint width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  while (width++ < columns)
    g_string_append_c (padded, ' ');

  return g_string_free (padded, FALSE);
}

static void
print_steps (const MsResult *result,
             const char     *indent)
{
  for (guint i = 0; i < result->steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (result->steps, i);
      g_autofree char *text = describe_step (result, step);
      g_autofree char *label = ms_cli_pad (ms_result_step_label (result, step->kind), 18);

      printf ("%s%s %s %5" G_GINT64_FORMAT " ms  %s\n", indent, step->ok ? "✓" : "✗", label,
              step->ms, text);
    }
}

static void
print_error (const MsResult *result)
{
  const MsResultError *error = result->error;

  fprintf (stderr, "%s (%s): %s\n", _("Error"), ms_error_code_to_string (error->code),
           error->message ? error->message : "");
  if (error->advice != NULL)
    fprintf (stderr, "%s %s\n", _("What to do:"), error->advice);
  if (error->action_url != NULL)
    fprintf (stderr, "%s %s\n", _("Page that fixes it:"), error->action_url);
  if (error->has_suggestion)
    /* Translators: "Try: --port 587 --security starttls"; keep the options as is */
    fprintf (stderr, _("Try: --port %u --security %s\n"), error->suggestion_port,
             ms_security_to_string (error->suggestion_security));
  if (error->server_reply != NULL)
    fprintf (stderr, "%s %s\n", _("Server said:"), error->server_reply);
  for (guint i = 0; error->recipients != NULL && i < error->recipients->len; i++)
    {
      const MsRecipientReply *recipient = g_ptr_array_index (error->recipients, i);

      /* Translators: a refused or deferred recipient and the server's reply to it */
      fprintf (stderr, _("Recipient %s: %s\n"), recipient->address,
               recipient->reply ? recipient->reply : "");
    }
  if (error->detail != NULL)
    fprintf (stderr, "%s %s\n", _("Detail:"), error->detail);
}

static void
print_candidates (const MsResult *result)
{
  for (guint i = 0; i < result->candidates->len; i++)
    {
      const MsResult *candidate = g_ptr_array_index (result->candidates, i);

      printf ("%s %s:%u (%s)\n", candidate->error ? "✗" : "✓", candidate->host,
              candidate->port, ms_security_to_string (candidate->security));
      print_steps (candidate, "    ");
      if (candidate->error != NULL)
        printf ("    %s\n", candidate->error->message);
    }
  if (result->has_recommended)
    /* Translators: "Recommended: port 465, tls" */
    printf (_("Recommended: port %u, %s\n"), result->recommended_port,
            ms_security_to_string (result->recommended_security));
}

/**
 * ms_cli_json_add_string:
 * @builder: a builder inside an object
 * @name: the member name
 * @value: (nullable): the value; %NULL becomes JSON null
 */
void
ms_cli_json_add_string (JsonBuilder *builder,
                        const char  *name,
                        const char  *value)
{
  ms_json_add_string_or_null (builder, name, value);
}

/**
 * ms_cli_json_begin_ok:
 * @builder: an empty builder
 * @command: the command name
 *
 * Opens the result object of a command that needs no network step, in the
 * shape of the results in docs/contract.md: `ok` and `command` first.
 */
void
ms_cli_json_begin_ok (JsonBuilder *builder,
                      const char  *command)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, TRUE);
  ms_cli_json_add_string (builder, "command", command);
}

/**
 * ms_cli_json_end_ok:
 * @builder: a builder opened by ms_cli_json_begin_ok()
 *
 * Closes the object with `"error": null` and prints it.
 *
 * Returns: 0, the exit status of success
 */
int
ms_cli_json_end_ok (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = NULL;

  json_builder_set_member_name (builder, "error");
  json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  ms_cli_print_json (root);

  return 0;
}

/**
 * ms_cli_print_json:
 * @node: a JSON node
 *
 * Prints @node as one JSON document on standard output.
 */
void
ms_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

/**
 * ms_cli_print_result:
 * @options: the parsed options
 * @result: a finished operation's result
 *
 * Prints @result as JSON (with --json) or for people: the steps on
 * standard output and the error, advice and server reply on standard error.
 */
void
ms_cli_print_result (MsCliOptions   *options,
                     const MsResult *result)
{
  if (options->json)
    {
      g_autoptr(JsonNode) node = ms_result_to_json_node (result);

      ms_cli_print_json (node);
      return;
    }

  if (result->host != NULL)
    printf ("%s:%u (%s)\n", result->host, result->port, ms_security_to_string (result->security));
  if (result->candidates != NULL)
    print_candidates (result);
  else
    print_steps (result, "  ");
  if (result->message_id != NULL)
    printf ("%s %s\n", _("Sent. Message-ID:"), result->message_id);
  if (result->error != NULL)
    print_error (result);
  else if (result->capabilities == NULL || result->message_id == NULL)
    printf ("%s\n", _("OK"));
}

/**
 * ms_cli_finish:
 * @options: the parsed options
 * @result: (transfer none): the operation's result
 *
 * Returns: the exit status for @result
 */
int
ms_cli_finish (MsCliOptions *options,
               MsResult     *result)
{
  ms_cli_print_result (options, result);
  fflush (stdout);

  return ms_result_exit_status (result);
}

/**
 * ms_cli_fail:
 * @options: the parsed options
 * @command: the command name for the JSON result
 * @error: what went wrong before any network step
 *
 * Reports an error that happened while preparing a command (bad input,
 * unknown account, keyring) in the same shape as an operation's failure.
 *
 * Returns: the exit status for @error
 */
int
ms_cli_fail (MsCliOptions *options,
             const char   *command,
             const GError *error)
{
  g_autoptr(MsResult) result = ms_result_new (command);
  MsErrorCode code = ms_error_get_code (error);
  MsStepKind step = (code == MS_ERROR_KEYRING_UNAVAILABLE || code == MS_ERROR_KEYRING_LOCKED
                     || code == MS_ERROR_SECRET_MISSING || code == MS_ERROR_CREDENTIAL_UNAVAILABLE)
                    ? MS_STEP_KEYRING : MS_STEP_CONFIG;

  result->account = g_strdup (options->account);
  result->credential_store = ms_cli_paths (options)->mode == MS_CONFIG_MODE_SYSTEM
                             ? MS_CREDENTIAL_STORE_SYSTEM : MS_CREDENTIAL_STORE_KEYRING;
  ms_result_set_error_from_gerror (result, step, error);
  /* Where the secret could not be had, say what to do about it. */
  if (step == MS_STEP_KEYRING)
    ms_advice_fill (result, NULL);
  if (options->json)
    return ms_cli_finish (options, result);

  print_error (result);

  return ms_result_exit_status (result);
}

static void
print_transcript_line (const char *line,
                       gpointer    user_data)
{
  G_LOCK (output);
  fprintf (stderr, "%s\n", line);
  fflush (stderr);
  G_UNLOCK (output);
}

typedef struct
{
  GMainLoop  *loop;
  const char *command;
  MsResult   *result;
} OperationWait;

static void
operation_done_cb (GObject      *source,
                   GAsyncResult *async_result,
                   gpointer      user_data)
{
  OperationWait *wait = user_data;
  g_autoptr(GError) error = NULL;
  const char *command = wait->command;

  if (g_strcmp0 (command, "login") == 0)
    wait->result = ms_sender_login_finish (async_result, &error);
  else if (g_strcmp0 (command, "test-send") == 0)
    wait->result = ms_sender_test_send_finish (async_result, &error);
  else if (g_strcmp0 (command, "send") == 0)
    wait->result = ms_sender_send_finish (async_result, &error);
  else
    wait->result = ms_probe_run_finish (async_result, &error);

  if (wait->result == NULL)
    {
      wait->result = ms_result_new (command);
      ms_result_set_error_from_gerror (wait->result, MS_STEP_CONFIG, error);
    }

  g_main_loop_quit (wait->loop);
}

static gboolean
on_signal_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));

  return G_SOURCE_CONTINUE;
}

/**
 * ms_cli_run_operation:
 * @options: the parsed options
 * @command: "probe", "login", "test-send" or "send"
 * @request: what to run
 *
 * Runs the operation in a worker thread while the main loop waits;
 * Ctrl+C or SIGTERM cancel it.
 *
 * Returns: (transfer full): the result
 */
MsResult *
ms_cli_run_operation (MsCliOptions *options,
                      const char   *command,
                      MsRequest    *request)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  OperationWait wait = { loop, command, NULL };
  guint sigint_id, sigterm_id;

  if (options->verbose)
    {
      request->transcript_func = print_transcript_line;
      request->transcript_data = NULL;
    }

  sigint_id = g_unix_signal_add (SIGINT, on_signal_cb, cancellable);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal_cb, cancellable);

  if (g_str_equal (command, "login"))
    ms_sender_login_async (request, cancellable, operation_done_cb, &wait);
  else if (g_str_equal (command, "test-send"))
    ms_sender_test_send_async (request, cancellable, operation_done_cb, &wait);
  else if (g_str_equal (command, "send"))
    ms_sender_send_async (request, cancellable, operation_done_cb, &wait);
  else
    ms_probe_run_async (request, cancellable, operation_done_cb, &wait);

  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  return wait.result;
}
