/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mailsetup-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n-lib.h>

#include "ms-account-ops.h"
#include "ms-account-store.h"
#include "ms-cli-private.h"
#include "ms-diagnose.h"
#include "ms-result-text.h"
#include "ms-provider.h"
#include "ms-credentials.h"

static void
add_strv (JsonBuilder *builder,
          const char  *name,
          char       **values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_server (JsonBuilder            *builder,
            const char             *name,
            const MsProviderServer *server)
{
  json_builder_set_member_name (builder, name);
  if (server == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  ms_cli_json_add_string (builder, "host", server->host);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, server->port);
  ms_cli_json_add_string (builder, "security", ms_security_to_string (server->security));
  json_builder_end_object (builder);
}

static void
build_provider (JsonBuilder      *builder,
                const MsProvider *provider)
{
  json_builder_begin_object (builder);
  ms_cli_json_add_string (builder, "id", provider->id);
  ms_cli_json_add_string (builder, "name", ms_provider_get_name (provider));
  add_strv (builder, "domains", provider->domains);
  add_strv (builder, "mx_patterns", provider->mx_patterns);
  add_server (builder, "smtp", provider->smtp);
  ms_cli_json_add_string (builder, "username", provider->username_form == MS_USERNAME_ADDRESS ? "address"
                                                                                  : "local-part");
  ms_cli_json_add_string (builder, "secret", ms_secret_kind_to_string (provider->secret_kind));
  ms_cli_json_add_string (builder, "secret_url", ms_provider_get_secret_url (provider));
  json_builder_end_object (builder);
}

int
ms_cli_providers (MsCliOptions *options)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint n_providers = 0;
  const MsProvider *const *providers = ms_provider_get_all (&n_providers);

  if (options->args != NULL && options->args[0] != NULL)
    return ms_cli_usage_error (_("providers takes no arguments."));

  if (!options->json)
    {
      for (guint i = 0; i < n_providers; i++)
        {
          const MsProvider *provider = providers[i];
          g_autofree char *domains = provider->domains ? g_strjoinv (", ", provider->domains) : NULL;

          printf ("%-18s %s\n", provider->id, ms_provider_get_name (provider));
          if (provider->smtp != NULL)
            printf ("%-18s %s:%u (%s)\n", "", provider->smtp->host, provider->smtp->port,
                    ms_security_to_string (provider->smtp->security));
          if (domains != NULL && *domains != '\0')
            printf ("%-18s %s\n", "", domains);
        }
      return 0;
    }

  ms_cli_json_begin_ok (builder, "providers");
  json_builder_set_member_name (builder, "providers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_providers; i++)
    build_provider (builder, providers[i]);
  json_builder_end_array (builder);

  return ms_cli_json_end_ok (builder);
}

int
ms_cli_detect (MsCliOptions *options)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(MsDetection) detection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  if (options->args == NULL || options->args[0] == NULL || options->args[1] != NULL)
    return ms_cli_usage_error (_("detect takes one email address."));

  detection = ms_provider_detect_sync (options->args[0], NULL, NULL, &error);
  if (detection == NULL)
    return ms_cli_fail (options, "detect", error);

  if (!options->json)
    {
      description = ms_detection_describe (detection);
      printf ("%s\n", description);
      return 0;
    }

  ms_cli_json_begin_ok (builder, "detect");
  ms_cli_json_add_string (builder, "address", options->args[0]);
  ms_cli_json_add_string (builder, "domain", detection->domain);
  json_builder_set_member_name (builder, "provider");
  if (detection->provider != NULL)
    build_provider (builder, detection->provider);
  else
    json_builder_add_null_value (builder);
  ms_cli_json_add_string (builder, "provider_source", ms_detection_source_to_string (detection->provider_source));
  ms_cli_json_add_string (builder, "host", detection->host);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, detection->port);
  ms_cli_json_add_string (builder, "security", ms_security_to_string (detection->security));
  ms_cli_json_add_string (builder, "source", ms_detection_source_to_string (detection->source));
  ms_cli_json_add_string (builder, "label", detection->label);
  json_builder_set_member_name (builder, "confirmed");
  json_builder_add_boolean_value (builder, detection->confirmed);
  add_strv (builder, "mx", detection->mx_hosts);
  add_strv (builder, "srv", detection->srv_records);

  return ms_cli_json_end_ok (builder);
}

static void
print_checks (const MsResult *result)
{
  for (guint i = 0; result->checks != NULL && i < result->checks->len; i++)
    {
      const MsCheck *check = g_ptr_array_index (result->checks, i);
      const char *mark = check->ok ? "✓" : check->severity == MS_CHECK_WARNING ? "!" : "✗";
      g_autofree char *title = ms_cli_pad (check->title, 22);

      printf ("%s %s %s\n", mark, title, check->message);
    }
}

int
ms_cli_diagnose (MsCliOptions *options)
{
  g_autoptr(MsAccountStore) store = NULL;
  g_autoptr(MsAccount) account = NULL;
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) keyring_error = NULL;

  if (options->args == NULL || options->args[0] == NULL || options->args[1] != NULL)
    return ms_cli_usage_error (_("diagnose takes one account id."));

  store = ms_account_store_new_for_paths (ms_cli_paths (options));
  if (!ms_account_store_load (store, &error))
    return ms_cli_fail (options, "diagnose", error);
  account = ms_account_store_lookup (store, options->args[0], &error);
  if (account == NULL)
    return ms_cli_fail (options, "diagnose", error);

  request = ms_account_ops_load_request_within (account, options->timeout_seconds, NULL,
                                                &keyring_error);
  request->config->timeout_seconds = options->timeout_seconds;
  request->recipients = g_new0 (char *, 2);
  request->recipients[0] = g_strdup (ms_account_get_address (account));
  request->program = g_strdup ("mailsetup-cli diagnose");
  request->config_dir = g_strdup (ms_account_store_get_config_dir (store));
  request->state_dir = g_strdup (ms_account_store_get_paths (store)->state_dir);

  result = ms_diagnose_run (request, keyring_error, options->send, NULL);
  if (options->json)
    return ms_cli_finish (options, result);

  print_checks (result);
  if (options->verbose)
    {
      g_autofree char *report = ms_result_text_report (result);

      fprintf (stderr, "\n%s", report);
    }
  if (result->error != NULL)
    fprintf (stderr, "\n%s %s\n%s\n", _("Problem:"), result->error->message,
             result->error->advice ? result->error->advice : "");

  return ms_result_exit_status (result);
}
