/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-provider"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "ms-core-resources.h"
#include "ms-error.h"
#include "ms-provider.h"

#define PROVIDERS_RESOURCE "/io/github/mailsetup/MailSetup/core/providers.json"
#define PROVIDER_CONTEXT "provider"

/*
 * Every human string of providers.json, so that xgettext finds them (it
 * cannot read JSON on Debian 12). They are looked up at run time with the
 * "provider" context; test-provider fails when providers.json holds a
 * string that is missing here.
 */
static const char *const provider_strings[] = {
  NC_("provider", "Gmail (Google Account)"),
  NC_("provider", "Gmail"),
  NC_("provider", "Google Workspace (mail handled by Google)"),
  NC_("provider", "Google Workspace"),
  /* Translators: the name of the Google page; keep it close to Google's own words. */
  NC_("provider", "Turn on 2-Step Verification"),
  /* Translators: "App passwords" is the name of the Google page. */
  NC_("provider", "Open App passwords"),
  NC_("provider", "App passwords need 2-Step Verification."),
  NC_("provider", "There is no App passwords page when 2-Step Verification uses only security keys, when Advanced Protection is on, or when a work or school administrator turned app passwords off."),
  NC_("provider", "Changing the Google password revokes every app password."),
  NC_("provider", "Since 30 September 2024 Google Workspace accepts only app passwords from programs that sign in with a password."),
  NC_("provider", "Yahoo Mail"),
  NC_("provider", "How to create an app password (Yahoo Help)"),
  NC_("provider", "Create the app password on the Yahoo Account Security page, under External connections."),
  NC_("provider", "An app password keeps working when the account password changes; delete it to stop it."),
  NC_("provider", "AOL Mail"),
  NC_("provider", "How to create an app password (AOL Help)"),
  NC_("provider", "Create the app password on the AOL Account Security page and enter it without spaces."),
  NC_("provider", "Mail Setup does not know AOL's server settings yet: enter the server AOL gives you."),
  NC_("provider", "iCloud Mail"),
  NC_("provider", "Open your Apple Account (Sign-In and Security, App-Specific Passwords)"),
  NC_("provider", "How to create an app-specific password (Apple Support)"),
  NC_("provider", "App-specific passwords need two-factor authentication on the Apple Account."),
  NC_("provider", "Changing or resetting the Apple Account password revokes every app-specific password."),
  NC_("provider", "Fastmail"),
  NC_("provider", "How to create an app password (Fastmail Help)"),
  NC_("provider", "Every program needs its own app password; the normal Fastmail password does not work here."),
  NC_("provider", "Create it under Settings, Privacy & Security, Integrations, New App Password."),
  NC_("provider", "Zoho Mail"),
  NC_("provider", "How to create an app-specific password (Zoho Help)"),
  NC_("provider", "With two-factor authentication on, use an app-specific password (Security, App passwords)."),
  NC_("provider", "GMX"),
  NC_("provider", "Allow POP3 and IMAP access (GMX Help)"),
  NC_("provider", "Allow access through POP3 and IMAP once in the GMX mail settings first."),
  NC_("provider", "mailbox.org"),
  NC_("provider", "Mail program settings (mailbox.org Knowledge Base)"),
  NC_("provider", "With two-factor authentication on, the mailbox password does not work here: create an application password under All settings, Security, Application passwords."),
  NC_("provider", "Outlook.com"),
  NC_("provider", "Outlook.com accepts only Microsoft sign-in (OAuth) from other programs, not a password, so Mail Setup cannot sign in to it. Use the mail program's own Microsoft sign-in, or another mail account for this program."),
  NC_("provider", "Proton Mail Bridge"),
  NC_("provider", "Use the password the Bridge app shows under Mailbox details, not the Proton account password."),
  /* Translators: 1025 is a port number; keep it as is. */
  NC_("provider", "The Bridge shows the port it listens on; 1025 is the usual one."),
  NC_("provider", "The Bridge uses a self-signed certificate: trust it by its key pin when asked."),
};

typedef struct
{
  GPtrArray *providers;  /* MsProvider */
} ProviderTable;

static const char *const secret_kind_names[] = {
  [MS_SECRET_APP_PASSWORD] = "app-password",
  [MS_SECRET_ACCOUNT_PASSWORD] = "account-password",
  [MS_SECRET_OAUTH_ONLY] = "oauth-only",
  [MS_SECRET_BRIDGE_PASSWORD] = "bridge-password",
};

/* ---- freeing ---- */

static void
server_clear (MsProviderServer *server)
{
  g_clear_pointer (&server->host, g_free);
}

static void
link_free (MsProviderLink *link)
{
  g_free (link->url);
  g_free (link->label);
  g_free (link);
}

static void
source_free (MsProviderSource *source)
{
  g_free (source->fact);
  g_free (source->url);
  g_free (source);
}

static void
provider_free (MsProvider *provider)
{
  g_free (provider->id);
  g_free (provider->name);
  g_free (provider->short_name);
  g_strfreev (provider->domains);
  g_strfreev (provider->mx_patterns);
  if (provider->smtp != NULL)
    server_clear (provider->smtp);
  g_free (provider->smtp);
  g_clear_pointer (&provider->alternatives, g_array_unref);
  g_clear_pointer (&provider->secret_pages, g_ptr_array_unref);
  g_free (provider->password_format);
  g_free (provider->password_alphabet);
  g_free (provider->password_strip);
  g_strfreev (provider->notes);
  g_clear_pointer (&provider->sources, g_ptr_array_unref);
  g_free (provider);
}

/* ---- parsing and validation ---- */

static gboolean
data_error (GError    **error,
            const char *provider_id,
            const char *what)
{
  g_set_error (error, MS_ERROR, MS_ERROR_INTERNAL,
               "providers.json: %s: %s", provider_id ? provider_id : "(top)", what);
  return FALSE;
}

static gboolean
is_https_url (const char *url)
{
  return url != NULL && g_str_has_prefix (url, "https://") && strlen (url) > 8
         && strpbrk (url, " \t\r\n") == NULL;
}

static gboolean
regex_compiles (const char *pattern)
{
  g_autoptr(GRegex) regex = NULL;

  regex = g_regex_new (pattern, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT, NULL);
  return regex != NULL;
}

/* A string member; absent or null gives NULL. Wrong types fail. */
static gboolean
read_string (JsonObject  *object,
             const char  *member,
             gboolean     required,
             char       **out,
             const char  *id,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return required ? data_error (error, id, member) : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return data_error (error, id, member);
  *out = g_strdup (json_node_get_string (node));
  if (required && **out == '\0')
    return data_error (error, id, member);
  return TRUE;
}

static gboolean
read_string_array (JsonObject   *object,
                   const char   *member,
                   char       ***out,
                   const char   *id,
                   GError      **error)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  *out = NULL;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return data_error (error, id, member);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING
          || *json_node_get_string (item) == '\0')
        return data_error (error, id, member);
      g_strv_builder_add (builder, json_node_get_string (item));
    }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* An integer member, @missing when there is none, or -1 when it is not a
 * number (json-glib's own getters warn on an object or array there). */
static gint64
read_int (JsonObject *object,
          const char *name,
          gint64      missing)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return missing;
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;

  return json_node_get_int (node);
}

static gboolean
parse_server (JsonNode         *node,
              MsProviderServer *server,
              const char       *id,
              GError          **error)
{
  JsonObject *object;
  g_autofree char *security = NULL;
  gint64 port;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return data_error (error, id, "server");
  object = json_node_get_object (node);
  if (!read_string (object, "host", TRUE, &server->host, id, error)
      || !read_string (object, "security", TRUE, &security, id, error))
    return FALSE;
  port = read_int (object, "port", 0);
  if (port < 1 || port > 65535)
    return data_error (error, id, "port");
  server->port = (guint16) port;
  if (!ms_security_from_string (security, &server->security)
      || server->security == MS_SECURITY_AUTO)
    return data_error (error, id, "security");
  return TRUE;
}

static gboolean
parse_smtp (JsonObject *object,
            MsProvider *provider,
            GError    **error)
{
  JsonNode *node = json_object_get_member (object, "smtp");
  JsonNode *alternatives = json_object_get_member (object, "alternatives");
  JsonArray *array;

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      provider->smtp = g_new0 (MsProviderServer, 1);
      if (!parse_server (node, provider->smtp, provider->id, error))
        return FALSE;
    }
  provider->alternatives = g_array_new (FALSE, TRUE, sizeof (MsProviderServer));
  g_array_set_clear_func (provider->alternatives, (GDestroyNotify) server_clear);
  if (alternatives == NULL || !JSON_NODE_HOLDS_ARRAY (alternatives))
    return data_error (error, provider->id, "alternatives");
  array = json_node_get_array (alternatives);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      MsProviderServer server = { NULL, };

      if (!parse_server (json_array_get_element (array, i), &server, provider->id, error))
        {
          server_clear (&server);
          return FALSE;
        }
      g_array_append_val (provider->alternatives, server);
    }
  return TRUE;
}

static gboolean
parse_links (JsonObject  *object,
             const char  *member,
             gboolean     is_source,
             GPtrArray  **out,
             const char  *id,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;

  *out = g_ptr_array_new_with_free_func (is_source ? (GDestroyNotify) source_free
                                                   : (GDestroyNotify) link_free);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return data_error (error, id, member);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      char *url = NULL, *text = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (item)
          || !read_string (json_node_get_object (item), "url", TRUE, &url, id, error)
          || !read_string (json_node_get_object (item), is_source ? "fact" : "label", TRUE,
                           &text, id, error))
        {
          g_free (url);
          g_free (text);
          return error && *error ? FALSE : data_error (error, id, member);
        }
      if (is_source)
        {
          MsProviderSource *source = g_new0 (MsProviderSource, 1);

          source->url = url;
          source->fact = text;
          g_ptr_array_add (*out, source);
        }
      else
        {
          MsProviderLink *link = g_new0 (MsProviderLink, 1);

          link->url = url;
          link->label = text;
          g_ptr_array_add (*out, link);
        }
      if (!is_https_url (url))
        return data_error (error, id, "a URL that is not https");
    }
  return TRUE;
}

static gboolean
parse_password (JsonObject *object,
                MsProvider *provider,
                GError    **error)
{
  JsonNode *node = json_object_get_member (object, "password");
  JsonObject *password;
  gint64 length;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return data_error (error, provider->id, "password");
  password = json_node_get_object (node);
  if (!read_string (password, "format", FALSE, &provider->password_format, provider->id, error)
      || !read_string (password, "alphabet", FALSE, &provider->password_alphabet,
                       provider->id, error)
      || !read_string (password, "strip", FALSE, &provider->password_strip, provider->id, error))
    return FALSE;
  length = read_int (password, "length", 0);
  if (length < 0 || length > 256)
    return data_error (error, provider->id, "password length");
  provider->password_length = (guint) length;
  if (provider->password_format != NULL && !regex_compiles (provider->password_format))
    return data_error (error, provider->id, "password format does not compile");
  if (provider->password_alphabet != NULL && !regex_compiles (provider->password_alphabet))
    return data_error (error, provider->id, "password alphabet does not compile");
  if (provider->password_format != NULL && provider->password_length == 0)
    return data_error (error, provider->id, "a password format needs a length");
  return TRUE;
}

static gboolean
parse_kinds (JsonObject *object,
             MsProvider *provider,
             GError    **error)
{
  g_autofree char *username = NULL;
  g_autofree char *secret = NULL;
  gboolean found = FALSE;

  if (!read_string (object, "username", TRUE, &username, provider->id, error)
      || !read_string (object, "secret", TRUE, &secret, provider->id, error))
    return FALSE;
  if (g_str_equal (username, "address"))
    provider->username_form = MS_USERNAME_ADDRESS;
  else if (g_str_equal (username, "local-part"))
    provider->username_form = MS_USERNAME_LOCAL_PART;
  else
    return data_error (error, provider->id, "username");
  for (guint i = 0; i < G_N_ELEMENTS (secret_kind_names); i++)
    {
      if (g_str_equal (secret, secret_kind_names[i]))
        {
          provider->secret_kind = (MsSecretKind) i;
          found = TRUE;
        }
    }
  return found ? TRUE : data_error (error, provider->id, "secret");
}

static gboolean
has_source (const MsProvider *provider,
            const char       *fact)
{
  for (guint i = 0; i < provider->sources->len; i++)
    {
      const MsProviderSource *source = g_ptr_array_index (provider->sources, i);

      if (g_str_equal (source->fact, fact))
        return TRUE;
    }
  return FALSE;
}

static gboolean
check_complete (const MsProvider *provider,
                GError          **error)
{
  const char *id = provider->id;

  for (const char *p = id; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return data_error (error, id, "id");
  for (guint i = 0; provider->domains[i] != NULL; i++)
    {
      g_autofree char *lower = g_ascii_strdown (provider->domains[i], -1);

      if (!g_str_equal (lower, provider->domains[i]) || strchr (lower, '@') != NULL)
        return data_error (error, id, "domains");
    }
  if (provider->sources->len == 0)
    return data_error (error, id, "no sources");
  if (provider->smtp != NULL && !has_source (provider, "smtp"))
    return data_error (error, id, "smtp without a source");
  if (provider->secret_kind != MS_SECRET_ACCOUNT_PASSWORD && !has_source (provider, "secret"))
    return data_error (error, id, "secret kind without a source");
  if (provider->secret_kind == MS_SECRET_APP_PASSWORD && provider->secret_pages->len == 0)
    return data_error (error, id, "an app password needs a page to create it");
  if (provider->password_format != NULL && !has_source (provider, "password"))
    return data_error (error, id, "password format without a source");
  return TRUE;
}

static MsProvider *
parse_provider (JsonNode *node,
                GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  MsProvider *provider = g_new0 (MsProvider, 1);
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      data_error (error, NULL, "a provider that is not an object");
      provider_free (provider);
      return NULL;
    }
  object = json_node_get_object (node);
  if (!read_string (object, "id", TRUE, &provider->id, NULL, &local_error)
      || !read_string (object, "name", TRUE, &provider->name, provider->id, &local_error)
      || !read_string (object, "short_name", TRUE, &provider->short_name, provider->id,
                       &local_error)
      || !read_string_array (object, "domains", &provider->domains, provider->id, &local_error)
      || !read_string_array (object, "mx_patterns", &provider->mx_patterns, provider->id,
                             &local_error)
      || !read_string_array (object, "notes", &provider->notes, provider->id, &local_error)
      || !parse_smtp (object, provider, &local_error)
      || !parse_kinds (object, provider, &local_error)
      || !parse_links (object, "secret_pages", FALSE, &provider->secret_pages, provider->id,
                       &local_error)
      || !parse_links (object, "sources", TRUE, &provider->sources, provider->id, &local_error)
      || !parse_password (object, provider, &local_error)
      || !check_complete (provider, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      provider_free (provider);
      return NULL;
    }
  return provider;
}

static gboolean
check_unique (GPtrArray *providers,
              GError   **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < providers->len; i++)
    {
      MsProvider *provider = g_ptr_array_index (providers, i);

      if (!g_hash_table_add (seen, provider->id))
        return data_error (error, provider->id, "id used twice");
      for (guint j = 0; provider->domains[j] != NULL; j++)
        if (!g_hash_table_add (seen, provider->domains[j]))
          return data_error (error, provider->id, "domain used twice");
    }
  return TRUE;
}

static GPtrArray *
parse_table (GBytes  *json,
             GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) providers = NULL;
  JsonObject *root;
  JsonArray *array;
  gsize size;
  const char *data = g_bytes_get_data (json, &size);
  g_autoptr(GError) parse_error = NULL;

  if (data == NULL || size == 0)
    return data_error (error, NULL, "empty"), NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) size, &parse_error))
    return data_error (error, NULL, parse_error->message), NULL;
  if (json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return data_error (error, NULL, "root"), NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  if (read_int (root, "version", 0) != 1
      || !json_object_has_member (root, "providers")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "providers")))
    return data_error (error, NULL, "version or providers"), NULL;
  array = json_object_get_array_member (root, "providers");
  providers = g_ptr_array_new_with_free_func ((GDestroyNotify) provider_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      MsProvider *provider = parse_provider (json_array_get_element (array, i), error);

      if (provider == NULL)
        return NULL;
      g_ptr_array_add (providers, provider);
    }
  if (!check_unique (providers, error))
    return NULL;
  return g_steal_pointer (&providers);
}

/**
 * ms_provider_validate_data:
 * @json: the text of a providers.json
 * @error: return location for an error
 *
 * Checks a provider table the way the loader does: every entry complete,
 * every URL https, every format compiles, a source for every fact that
 * needs one, no id or domain twice.
 *
 * Returns: %TRUE when valid; otherwise @error is `internal`
 */
gboolean
ms_provider_validate_data (GBytes  *json,
                           GError **error)
{
  g_autoptr(GPtrArray) providers = NULL;

  g_return_val_if_fail (json != NULL, FALSE);

  providers = parse_table (json, error);
  return providers != NULL;
}

static ProviderTable *
get_table (void)
{
  static gsize once = 0;
  static ProviderTable table;

  if (g_once_init_enter (&once))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;

      bytes = g_resource_lookup_data (ms_core_get_resource (), PROVIDERS_RESOURCE,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes != NULL)
        table.providers = parse_table (bytes, &error);
      if (table.providers == NULL)
        {
          g_critical ("Cannot load the provider table: %s", error->message);
          table.providers = g_ptr_array_new ();
        }
      g_once_init_leave (&once, 1);
    }
  return &table;
}

/* ---- lookups ---- */

/**
 * ms_provider_get_all:
 * @n_providers: (out) (optional): the number of providers
 *
 * Returns: (transfer none) (array length=n_providers): every provider, in
 *   the table's order
 */
const MsProvider *const *
ms_provider_get_all (guint *n_providers)
{
  ProviderTable *table = get_table ();

  if (n_providers != NULL)
    *n_providers = table->providers->len;
  return (const MsProvider *const *) table->providers->pdata;
}

/**
 * ms_provider_lookup:
 * @id: a provider id ("gmail")
 *
 * Returns: (transfer none) (nullable): the provider
 */
const MsProvider *
ms_provider_lookup (const char *id)
{
  guint n;
  const MsProvider *const *all = ms_provider_get_all (&n);

  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (all[i]->id, id))
      return all[i];
  return NULL;
}

/**
 * ms_provider_lookup_domain:
 * @domain: the domain of an address, in any case, without the "@"
 *
 * Returns: (transfer none) (nullable): the provider whose table lists @domain
 */
const MsProvider *
ms_provider_lookup_domain (const char *domain)
{
  guint n;
  const MsProvider *const *all = ms_provider_get_all (&n);

  g_return_val_if_fail (domain != NULL, NULL);

  for (guint i = 0; i < n; i++)
    for (guint j = 0; all[i]->domains[j] != NULL; j++)
      if (g_ascii_strcasecmp (all[i]->domains[j], domain) == 0)
        return all[i];
  return NULL;
}

static gboolean
host_in_domain (const char *host,
                const char *suffix)
{
  gsize host_len = strlen (host), suffix_len = strlen (suffix);

  if (host_len > 0 && host[host_len - 1] == '.')
    host_len--;
  if (host_len == suffix_len)
    return g_ascii_strncasecmp (host, suffix, host_len) == 0;
  return host_len > suffix_len && host[host_len - suffix_len - 1] == '.'
         && g_ascii_strncasecmp (host + host_len - suffix_len, suffix, suffix_len) == 0;
}

/**
 * ms_provider_lookup_mx:
 * @mx_host: the name of an MX host ("aspmx.l.google.com")
 *
 * Returns: (transfer none) (nullable): the provider that hosts mail whose
 *   MX is @mx_host (Google Workspace for "*.google.com")
 */
const MsProvider *
ms_provider_lookup_mx (const char *mx_host)
{
  guint n;
  const MsProvider *const *all = ms_provider_get_all (&n);

  g_return_val_if_fail (mx_host != NULL, NULL);

  for (guint i = 0; i < n; i++)
    for (guint j = 0; all[i]->mx_patterns[j] != NULL; j++)
      if (host_in_domain (mx_host, all[i]->mx_patterns[j]))
        return all[i];
  return NULL;
}

/**
 * ms_provider_lookup_host:
 * @smtp_host: an SMTP server name ("smtp.gmail.com")
 *
 * Returns: (transfer none) (nullable): the first provider whose SMTP server
 *   (or an alternative) is @smtp_host
 */
const MsProvider *
ms_provider_lookup_host (const char *smtp_host)
{
  guint n;
  const MsProvider *const *all = ms_provider_get_all (&n);

  g_return_val_if_fail (smtp_host != NULL, NULL);

  for (guint i = 0; i < n; i++)
    {
      if (all[i]->smtp != NULL && g_ascii_strcasecmp (all[i]->smtp->host, smtp_host) == 0
          && !g_str_equal (all[i]->smtp->host, "127.0.0.1"))
        return all[i];
    }
  return NULL;
}

/* ---- display strings ---- */

static const char *
translate (const char *text)
{
  return text != NULL ? g_dpgettext2 (GETTEXT_PACKAGE, PROVIDER_CONTEXT, text) : NULL;
}

/**
 * ms_provider_get_name:
 * @provider: a provider
 *
 * Returns: (transfer none): the name in the user's language
 */
const char *
ms_provider_get_name (const MsProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return translate (provider->name);
}

const char *
ms_provider_get_short_name (const MsProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return translate (provider->short_name);
}

/**
 * ms_provider_get_note:
 * @provider: a provider
 * @index: which note
 *
 * Returns: (transfer none) (nullable): the note in the user's language, or
 *   %NULL past the last one
 */
const char *
ms_provider_get_note (const MsProvider *provider,
                      guint             index)
{
  g_return_val_if_fail (provider != NULL, NULL);

  if (index >= g_strv_length (provider->notes))
    return NULL;
  return translate (provider->notes[index]);
}

const char *
ms_provider_link_get_label (const MsProviderLink *link)
{
  g_return_val_if_fail (link != NULL, NULL);
  return translate (link->label);
}

/**
 * ms_provider_get_secret_url:
 * @provider: a provider
 *
 * Returns: (transfer none) (nullable): the page where the secret is made:
 *   the last of the secret pages (Gmail: App passwords)
 */
const char *
ms_provider_get_secret_url (const MsProvider *provider)
{
  const MsProviderLink *link;

  g_return_val_if_fail (provider != NULL, NULL);

  if (provider->secret_pages->len == 0)
    return NULL;
  link = g_ptr_array_index (provider->secret_pages, provider->secret_pages->len - 1);
  return link->url;
}

const char *
ms_secret_kind_to_string (MsSecretKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (secret_kind_names), NULL);
  return secret_kind_names[kind];
}

/**
 * ms_provider_translatable_strings:
 * @n_strings: (out): how many
 *
 * For tests: the untranslated strings the catalog holds for providers.
 *
 * Returns: (transfer none) (array length=n_strings): the strings
 */
const char *const *
ms_provider_translatable_strings (guint *n_strings)
{
  *n_strings = G_N_ELEMENTS (provider_strings);
  return provider_strings;
}

/* ---- app-password checks ---- */

static char *
normalise (const MsProvider *provider,
           const char       *text,
           gsize            *length)
{
  const char *strip = provider != NULL && provider->password_strip != NULL
                      ? provider->password_strip : "";
  gsize in_len = strlen (text), out = 0;
  char *buffer = g_malloc (in_len + 1);

  for (gsize i = 0; i < in_len; i++)
    if (*strip == '\0' || strchr (strip, text[i]) == NULL)
      buffer[out++] = text[i];
  buffer[out] = '\0';
  *length = out;
  return buffer;
}

static gboolean
has_bad_characters (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return TRUE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static MsPasswordVerdict
classify_password (const MsProvider *provider,
                   const char       *text,
                   guint             length)
{
  if (length == 0)
    return MS_PASSWORD_EMPTY;
  if (has_bad_characters (text))
    return MS_PASSWORD_BAD_CHARACTERS;
  if (provider == NULL || provider->password_format == NULL)
    return MS_PASSWORD_OK;
  if (g_regex_match_simple (provider->password_format, text, G_REGEX_DEFAULT,
                            G_REGEX_MATCH_DEFAULT))
    return MS_PASSWORD_OK;
  if (provider->password_alphabet != NULL
      && g_regex_match_simple (provider->password_alphabet, text, G_REGEX_DEFAULT,
                               G_REGEX_MATCH_DEFAULT))
    {
      if (length < provider->password_length)
        return MS_PASSWORD_TOO_SHORT;
      if (length > provider->password_length)
        return MS_PASSWORD_TOO_LONG;
    }
  return MS_PASSWORD_LOOKS_LIKE_ACCOUNT_PASSWORD;
}

/**
 * ms_provider_check_password:
 * @provider: (nullable): the provider, or %NULL for an unknown one
 * @text: what the user typed or pasted
 * @length_out: (out) (optional): the length in characters after normalising
 * @normalised_out: (out) (optional) (transfer full): the secret to use:
 *   @text without the characters the provider's display adds (Gmail's
 *   spaces), in locked memory
 *
 * Checks a password against the provider's format as the user types it.
 * Nothing is logged and every temporary copy is wiped.
 *
 * Returns: the verdict; ms_provider_password_message() words it
 */
MsPasswordVerdict
ms_provider_check_password (const MsProvider  *provider,
                            const char        *text,
                            guint             *length_out,
                            MsPassword       **normalised_out)
{
  MsPasswordVerdict verdict;
  gsize size, original = 0;
  char *buffer;
  guint length;

  g_return_val_if_fail (text != NULL, MS_PASSWORD_EMPTY);

  original = strlen (text);
  buffer = normalise (provider, text, &size);
  length = g_utf8_validate (buffer, (gssize) size, NULL)
           ? (guint) g_utf8_strlen (buffer, (gssize) size) : (guint) size;
  verdict = classify_password (provider, buffer, length);
  if (length_out != NULL)
    *length_out = length;
  if (normalised_out != NULL)
    *normalised_out = ms_password_new (buffer, size);
  ms_wipe (buffer, original + 1);
  g_free (buffer);
  return verdict;
}

/**
 * ms_provider_password_message:
 * @provider: (nullable): the provider
 * @verdict: what ms_provider_check_password() said
 * @length: the length it reported
 *
 * The live check line under the password row (UX.md page 2).
 *
 * Returns: (transfer full) (nullable): the line in the user's language, or
 *   %NULL when there is nothing to say
 */
char *
ms_provider_password_message (const MsProvider  *provider,
                              MsPasswordVerdict  verdict,
                              guint              length)
{
  guint expected = provider != NULL ? provider->password_length : 0;

  switch (verdict)
    {
    case MS_PASSWORD_OK:
      if (expected == 0)
        return NULL;
      /* Translators: shown when a pasted app password has the right length. */
      return g_strdup_printf (ngettext ("%u letter ✓", "%u letters ✓", length), length);
    case MS_PASSWORD_EMPTY:
      if (provider != NULL && provider->secret_kind == MS_SECRET_APP_PASSWORD)
        return g_strdup (_("Paste the app password here."));
      return NULL;
    case MS_PASSWORD_TOO_SHORT:
    case MS_PASSWORD_TOO_LONG:
      /* Translators: the first %u is the right length (16), the second what was typed. */
      return g_strdup_printf (ngettext ("An app password has %u letters; this has %u",
                                        "An app password has %u letters; this has %u",
                                        length),
                              expected, length);
    case MS_PASSWORD_LOOKS_LIKE_ACCOUNT_PASSWORD:
      /* Translators: %s is a provider name, for example "Gmail". */
      return g_strdup_printf (_("This looks like a normal password. %s needs an app password."),
                              provider != NULL ? ms_provider_get_short_name (provider) : "");
    case MS_PASSWORD_BAD_CHARACTERS:
      return g_strdup (_("This has characters a password never has, such as a line break. "
                         "Copy the password again."));
    default:
      g_return_val_if_reached (NULL);
    }
}

/* ---- detection ---- */

G_DEFINE_BOXED_TYPE (MsDetection, ms_detection, ms_detection_copy, ms_detection_free)

/**
 * ms_detection_copy:
 * @detection: a detection
 *
 * Returns: (transfer full): a copy
 */
MsDetection *
ms_detection_copy (const MsDetection *detection)
{
  MsDetection *copy = g_new0 (MsDetection, 1);

  g_return_val_if_fail (detection != NULL, NULL);

  *copy = *detection;
  copy->domain = g_strdup (detection->domain);
  copy->host = g_strdup (detection->host);
  copy->mx_hosts = g_strdupv (detection->mx_hosts);
  copy->srv_records = g_strdupv (detection->srv_records);
  copy->label = g_strdup (detection->label);
  return copy;
}

void
ms_detection_free (MsDetection *detection)
{
  if (detection == NULL)
    return;
  g_free (detection->domain);
  g_free (detection->host);
  g_strfreev (detection->mx_hosts);
  g_strfreev (detection->srv_records);
  g_free (detection->label);
  g_free (detection);
}

const char *
ms_detection_source_to_string (MsDetectionSource source)
{
  static const char *const names[] = { "table", "mx", "srv", "guess" };

  g_return_val_if_fail (source < G_N_ELEMENTS (names), NULL);
  return names[source];
}

/**
 * ms_detection_describe:
 * @detection: a detection
 *
 * Returns: (transfer full): the row text of the wizard's first page: the
 *   provider's name, or that the user will enter the server
 */
char *
ms_detection_describe (const MsDetection *detection)
{
  g_return_val_if_fail (detection != NULL, NULL);

  if (detection->provider != NULL)
    return g_strdup (ms_provider_get_name (detection->provider));
  return g_strdup (_("Other provider: you will enter the server"));
}

static char *
detection_label (MsDetectionSource source)
{
  switch (source)
    {
    case MS_DETECTION_SOURCE_TABLE:
      return g_strdup (_("known to Mail Setup"));
    case MS_DETECTION_SOURCE_MX:
      return g_strdup (_("found from the domain's mail servers"));
    case MS_DETECTION_SOURCE_SRV:
      return g_strdup (_("found from the domain's mail settings in DNS"));
    case MS_DETECTION_SOURCE_GUESS:
    default:
      return g_strdup (_("a guess from the domain name: check it with your provider"));
    }
}

static gboolean
is_ldh_domain (const char *domain)
{
  gsize label = 0;

  if (*domain == '\0' || strlen (domain) > 253)
    return FALSE;
  for (const char *p = domain; *p; p++)
    {
      if (*p == '.')
        {
          if (label == 0 || p[-1] == '-')
            return FALSE;
          label = 0;
          continue;
        }
      if (!g_ascii_isalnum (*p) && *p != '-')
        return FALSE;
      if ((*p == '-' && label == 0) || ++label > 63)
        return FALSE;
    }
  return label > 0;
}

static char *
address_domain (const char *address,
                GError    **error)
{
  const char *at = strrchr (address, '@');
  g_autofree char *trimmed = NULL;
  g_autofree char *ascii = NULL;

  if (at == NULL || at == address || at[1] == '\0')
    goto invalid;
  trimmed = g_strdup (at + 1);
  if (g_str_has_suffix (trimmed, "."))
    trimmed[strlen (trimmed) - 1] = '\0';
  ascii = g_hostname_to_ascii (trimmed);
  if (ascii == NULL || !is_ldh_domain (ascii))
    goto invalid;
  return g_ascii_strdown (ascii, -1);

invalid:
  g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
               _("This is not an email address: it needs a name, an @ and a domain, "
                 "like name@example.org."));
  return NULL;
}

typedef struct
{
  guint16  priority;
  guint16  weight;
  guint16  port;
  char    *target;
} SrvRecord;

static gint
compare_mx (gconstpointer a,
            gconstpointer b)
{
  guint16 pa, pb;

  g_variant_get ((GVariant *) a, "(q&s)", &pa, NULL);
  g_variant_get ((GVariant *) b, "(q&s)", &pb, NULL);
  return (gint) pa - (gint) pb;
}

static char *
clean_host (const char *host)
{
  char *copy = g_ascii_strdown (host, -1);
  gsize len = strlen (copy);

  if (len > 0 && copy[len - 1] == '.')
    copy[len - 1] = '\0';
  return copy;
}

/* Records of @type, or NULL; only a cancellation is an error. */
static GList *
lookup_records (GResolver          *resolver,
                const char         *name,
                GResolverRecordType type,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  GList *records;

  records = g_resolver_lookup_records (resolver, name, type, cancellable, &local_error);
  if (records == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, MS_ERROR, MS_ERROR_CANCELLED, _("The operation was cancelled."));
  else if (records == NULL && local_error != NULL)
    g_debug ("No %s records: %s", name, local_error->message);
  return records;
}

static gboolean
detect_mx (MsDetection  *detection,
           GResolver    *resolver,
           GCancellable *cancellable,
           GError      **error)
{
  g_autoptr(GStrvBuilder) seen = g_strv_builder_new ();
  const MsProvider *provider = NULL;
  GList *records;

  records = lookup_records (resolver, detection->domain, G_RESOLVER_RECORD_MX,
                            cancellable, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  records = g_list_sort (records, compare_mx);
  for (GList *l = records; l != NULL; l = l->next)
    {
      const char *host = NULL;
      g_autofree char *clean = NULL;

      g_variant_get (l->data, "(q&s)", NULL, &host);
      clean = clean_host (host);
      g_strv_builder_add (seen, clean);
      if (provider == NULL)
        provider = ms_provider_lookup_mx (clean);
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  detection->mx_hosts = g_strv_builder_end (seen);
  if (provider != NULL && detection->provider == NULL)
    {
      detection->provider = provider;
      detection->provider_source = MS_DETECTION_SOURCE_MX;
    }
  return TRUE;
}

static gint
compare_srv (gconstpointer a,
             gconstpointer b)
{
  const SrvRecord *ra = a, *rb = b;

  if (ra->priority != rb->priority)
    return (gint) ra->priority - (gint) rb->priority;
  return (gint) rb->weight - (gint) ra->weight;
}

static void
srv_record_clear (SrvRecord *record)
{
  g_free (record->target);
}

/* The best usable record of one SRV name, appending what was seen. */
static gboolean
detect_srv_name (MsDetection  *detection,
                 GResolver    *resolver,
                 const char   *service,
                 GStrvBuilder *seen,
                 SrvRecord    *best,
                 GCancellable *cancellable,
                 GError      **error)
{
  g_autofree char *name = g_strconcat (service, ".", detection->domain, NULL);
  g_autoptr(GArray) usable = g_array_new (FALSE, TRUE, sizeof (SrvRecord));
  GList *records;

  g_array_set_clear_func (usable, (GDestroyNotify) srv_record_clear);
  records = lookup_records (resolver, name, G_RESOLVER_RECORD_SRV, cancellable, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  for (GList *l = records; l != NULL; l = l->next)
    {
      SrvRecord record = { 0, };
      const char *target = NULL;
      g_autofree char *text = NULL;

      g_variant_get (l->data, "(qqq&s)", &record.priority, &record.weight, &record.port, &target);
      text = g_strdup_printf ("%s %u %u %u %s", name, record.priority, record.weight,
                              record.port, target);
      g_strv_builder_add (seen, text);
      record.target = clean_host (target);
      /* RFC 6186: a target of "." says the service is not offered. */
      if (*record.target == '\0' || record.port == 0)
        srv_record_clear (&record);
      else
        g_array_append_val (usable, record);
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  if (usable->len == 0)
    return FALSE;
  g_array_sort (usable, compare_srv);
  *best = g_array_index (usable, SrvRecord, 0);
  g_array_index (usable, SrvRecord, 0).target = NULL;
  return TRUE;
}

static gboolean
detect_srv (MsDetection  *detection,
            GResolver    *resolver,
            GCancellable *cancellable,
            GError      **error)
{
  static const struct { const char *service; MsSecurity security; } services[] = {
    { "_submissions._tcp", MS_SECURITY_TLS },      /* RFC 8314 */
    { "_submission._tcp", MS_SECURITY_STARTTLS },  /* RFC 6186 */
  };
  g_autoptr(GStrvBuilder) seen = g_strv_builder_new ();
  gboolean found = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (services) && !found; i++)
    {
      SrvRecord best = { 0, };

      found = detect_srv_name (detection, resolver, services[i].service, seen, &best,
                               cancellable, error);
      if (error != NULL && *error != NULL)
        return FALSE;
      if (found)
        {
          detection->host = best.target;
          detection->port = best.port;
          detection->security = services[i].security;
          detection->source = MS_DETECTION_SOURCE_SRV;
        }
    }
  detection->srv_records = g_strv_builder_end (seen);
  return TRUE;
}

static void
use_provider_server (MsDetection *detection)
{
  const MsProviderServer *smtp = detection->provider->smtp;

  detection->host = g_strdup (smtp->host);
  detection->port = smtp->port;
  detection->security = smtp->security;
  detection->source = detection->provider_source;
}

static void
use_guess (MsDetection *detection)
{
  detection->host = g_strconcat ("smtp.", detection->domain, NULL);
  detection->port = ms_security_default_port (MS_SECURITY_TLS);
  detection->security = MS_SECURITY_TLS;
  detection->source = MS_DETECTION_SOURCE_GUESS;
}

static gboolean
detect_from_dns (MsDetection  *detection,
                 GResolver    *resolver,
                 GCancellable *cancellable,
                 GError      **error)
{
  if (detection->provider == NULL && !detect_mx (detection, resolver, cancellable, error))
    return FALSE;
  if (detection->provider != NULL && detection->provider->smtp != NULL)
    {
      use_provider_server (detection);
      return TRUE;
    }
  if (!detect_srv (detection, resolver, cancellable, error))
    return FALSE;
  if (detection->host == NULL)
    use_guess (detection);
  return TRUE;
}

/**
 * ms_provider_detect_sync:
 * @address: an email address
 * @resolver: (nullable): the resolver for MX and SRV records, or %NULL for
 *   the default one
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Which provider and SMTP server @address leads to, and where that came
 * from: the built-in table, the domain's MX hosts (Google Workspace and
 * other hosted domains), its SRV records (`_submissions._tcp`, then
 * `_submission._tcp`), or a guess (`smtp.DOMAIN`, port 465, SSL/TLS).
 * Only DNS is asked; nothing is sent to any SMTP server. Blocks: call it
 * from a worker thread, or use ms_provider_detect_async().
 *
 * Returns: (transfer full) (nullable): the detection, or %NULL with
 *   @error set to `invalid-input` (not an address) or `cancelled`
 */
MsDetection *
ms_provider_detect_sync (const char    *address,
                         GResolver     *resolver,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(MsDetection) detection = g_new0 (MsDetection, 1);
  g_autoptr(GResolver) default_resolver = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (resolver == NULL || G_IS_RESOLVER (resolver), NULL);

  detection->domain = address_domain (address, error);
  if (detection->domain == NULL)
    return NULL;
  if (resolver == NULL)
    resolver = default_resolver = g_resolver_get_default ();

  detection->provider = ms_provider_lookup_domain (detection->domain);
  detection->provider_source = MS_DETECTION_SOURCE_TABLE;
  if (!detect_from_dns (detection, resolver, cancellable, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (detection->mx_hosts == NULL)
    detection->mx_hosts = g_new0 (char *, 1);
  if (detection->srv_records == NULL)
    detection->srv_records = g_new0 (char *, 1);
  detection->label = detection_label (detection->source);
  return g_steal_pointer (&detection);
}

typedef struct
{
  char      *address;
  GResolver *resolver;
} DetectData;

static void
detect_data_free (DetectData *data)
{
  g_free (data->address);
  g_clear_object (&data->resolver);
  g_free (data);
}

static void
detect_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DetectData *data = task_data;
  GError *error = NULL;
  MsDetection *detection;

  detection = ms_provider_detect_sync (data->address, data->resolver, cancellable, &error);
  if (detection == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, detection, (GDestroyNotify) ms_detection_free);
}

/**
 * ms_provider_detect_async:
 * @address: an email address
 * @resolver: (nullable): the resolver, or %NULL for the default one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context when done
 * @user_data: data for @callback
 *
 * ms_provider_detect_sync() in a worker thread.
 */
void
ms_provider_detect_async (const char          *address,
                          GResolver           *resolver,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DetectData *data = g_new0 (DetectData, 1);

  g_return_if_fail (address != NULL);

  data->address = g_strdup (address);
  data->resolver = resolver != NULL ? g_object_ref (resolver) : g_resolver_get_default ();
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_provider_detect_async);
  g_task_set_task_data (task, data, (GDestroyNotify) detect_data_free);
  g_task_run_in_thread (task, detect_thread);
}

/**
 * ms_provider_detect_finish:
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the detection; errors as
 *   ms_provider_detect_sync()
 */
MsDetection *
ms_provider_detect_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_provider_detect_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
