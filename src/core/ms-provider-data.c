/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-provider-data"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ms-core-resources.h"
#include "ms-error.h"
#include "ms-provider.h"

/*
 * Reading and checking providers.json (docs/providers.md describes every
 * field). Every human string of the table may be a plain string or an
 * object { "text": ..., "translators": ... }; the parser hands each one to
 * a collector, which is how ms_provider_collect_strings() builds the
 * catalogue's list (po/README.md) without a second list of the strings.
 */

#define PROVIDERS_RESOURCE "/io/github/mailsetup/MailSetup/core/providers.json"
#define PROVIDERS_VERSION  2

static const char *const secret_kind_names[] = {
  [MS_SECRET_APP_PASSWORD] = "app-password",
  [MS_SECRET_ACCOUNT_PASSWORD] = "account-password",
  [MS_SECRET_OAUTH_ONLY] = "oauth-only",
  [MS_SECRET_BRIDGE_PASSWORD] = "bridge-password",
};

/* Facts a source or an "unconfirmed" entry may name. */
static const char *const fact_names[] = {
  "domains", "mx_patterns", "smtp", "alternatives", "username", "secret", "password",
  "notes", "sign_in", "replies", "links", "domain_suffixes", "online_accounts",
};

typedef struct
{
  const char *id;        /* the provider being parsed, or NULL */
  GPtrArray  *strings;   /* MsProviderString, or NULL when not collecting */
  GError    **error;
} Parse;

/* ---- freeing ---- */

static void
server_clear (MsProviderServer *server)
{
  g_clear_pointer (&server->host, g_free);
  g_clear_pointer (&server->label, g_free);
}

static void
link_free (MsProviderLink *link)
{
  g_free (link->id);
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
step_free (MsProviderStep *step)
{
  g_free (step->text);
  g_free (step->link);
  g_free (step);
}

static void
words_clear (MsProviderWords *words)
{
  g_clear_pointer (&words->message, g_free);
  g_clear_pointer (&words->advice, g_free);
  g_clear_pointer (&words->link, g_free);
}

static void
online_clear (MsProviderOnline *online)
{
  g_clear_pointer (&online->goa_providers, g_strfreev);
  g_clear_pointer (&online->why_title, g_free);
  g_clear_pointer (&online->why, g_free);
  g_clear_pointer (&online->missing, g_free);
}

static void
online_words_clear (MsOnlineWords *words)
{
  g_clear_pointer (&words->choice, g_free);
  g_clear_pointer (&words->choice_detail, g_free);
  g_clear_pointer (&words->alternative, g_free);
  g_clear_pointer (&words->alternative_detail, g_free);
  g_clear_pointer (&words->missing_title, g_free);
  g_clear_pointer (&words->missing, g_free);
  g_clear_pointer (&words->settings_button, g_free);
  g_clear_pointer (&words->check_again, g_free);
  g_clear_pointer (&words->no_settings, g_free);
  g_clear_pointer (&words->server_label, g_free);
  g_clear_pointer (&words->done_note, g_free);
}

static void
reply_free (MsProviderReply *reply)
{
  g_free (reply->enhanced);
  g_strfreev (reply->keywords);
  words_clear (&reply->words);
  g_free (reply);
}

static void
sign_in_clear (MsProviderSignIn *sign_in)
{
  g_clear_pointer (&sign_in->title, g_free);
  g_clear_pointer (&sign_in->why_title, g_free);
  g_clear_pointer (&sign_in->why, g_free);
  g_clear_pointer (&sign_in->steps, g_ptr_array_unref);
  g_clear_pointer (&sign_in->help_title, g_free);
  g_clear_pointer (&sign_in->help, g_free);
  g_clear_pointer (&sign_in->help_link, g_free);
  g_clear_pointer (&sign_in->password_label, g_free);
}

static void
provider_free (MsProvider *provider)
{
  g_free (provider->id);
  g_free (provider->name);
  g_free (provider->short_name);
  g_strfreev (provider->domains);
  g_strfreev (provider->domain_suffixes);
  g_strfreev (provider->mx_patterns);
  if (provider->smtp != NULL)
    server_clear (provider->smtp);
  g_free (provider->smtp);
  g_clear_pointer (&provider->alternatives, g_array_unref);
  g_free (provider->secret_link);
  g_clear_pointer (&provider->links, g_ptr_array_unref);
  sign_in_clear (&provider->sign_in);
  online_clear (&provider->online);
  g_free (provider->password_format);
  g_free (provider->password_alphabet);
  g_free (provider->password_strip);
  g_strfreev (provider->notes);
  g_free (provider->reply_signature);
  g_clear_pointer (&provider->replies, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (provider->advice); i++)
    words_clear (&provider->advice[i]);
  g_strfreev (provider->unconfirmed);
  g_clear_pointer (&provider->sources, g_ptr_array_unref);
  g_free (provider);
}

/**
 * ms_provider_string_free:
 * @string: (nullable) (transfer full): a string of the table
 */
void
ms_provider_string_free (MsProviderString *string)
{
  if (string == NULL)
    return;
  g_free (string->text);
  g_free (string->where);
  g_free (string->translators);
  g_free (string);
}

/* ---- reading members ---- */

static gboolean
data_error (Parse      *parse,
            const char *what)
{
  g_set_error (parse->error, MS_ERROR, MS_ERROR_INTERNAL,
               "providers.json: %s: %s", parse->id ? parse->id : "(top)", what);
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

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* A string member; absent or null gives NULL. Wrong types fail. */
static gboolean
read_string (Parse       *parse,
             JsonObject  *object,
             const char  *member,
             gboolean     required,
             char       **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return required ? data_error (parse, member) : TRUE;
  if (!node_is_string (node))
    return data_error (parse, member);
  *out = g_strdup (json_node_get_string (node));
  if (required && **out == '\0')
    return data_error (parse, member);
  return TRUE;
}

static void
collect (Parse      *parse,
         const char *text,
         const char *where,
         const char *translators)
{
  MsProviderString *string;

  if (parse->strings == NULL)
    return;
  string = g_new0 (MsProviderString, 1);
  string->text = g_strdup (text);
  string->where = g_strdup_printf ("%s: %s", parse->id ? parse->id : "(top)", where);
  string->translators = g_strdup (translators);
  g_ptr_array_add (parse->strings, string);
}

/* A human string: "text", or { "text": "...", "translators": "..." }. */
static gboolean
read_text_node (Parse       *parse,
                JsonNode    *node,
                const char  *where,
                char       **out)
{
  g_autofree char *translators = NULL;
  JsonObject *object;

  *out = NULL;
  if (node_is_string (node))
    *out = g_strdup (json_node_get_string (node));
  else if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      object = json_node_get_object (node);
      if (!read_string (parse, object, "text", TRUE, out)
          || !read_string (parse, object, "translators", FALSE, &translators))
        return FALSE;
    }
  if (*out == NULL || **out == '\0')
    return data_error (parse, where);
  collect (parse, *out, where, translators);
  return TRUE;
}

static gboolean
read_text (Parse       *parse,
           JsonObject  *object,
           const char  *member,
           gboolean     required,
           const char  *where_prefix,
           char       **out)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autofree char *where = NULL;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return required ? data_error (parse, member) : TRUE;
  where = where_prefix != NULL ? g_strconcat (where_prefix, ".", member, NULL)
                               : g_strdup (member);
  return read_text_node (parse, node, where, out);
}

/* An array of plain strings; an absent member gives an empty array when
 * @optional. */
static gboolean
read_string_array (Parse        *parse,
                   JsonObject   *object,
                   const char   *member,
                   gboolean      optional,
                   char       ***out)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  *out = NULL;
  if (node == NULL && optional)
    {
      *out = g_new0 (char *, 1);
      return TRUE;
    }
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return data_error (parse, member);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!node_is_string (item) || *json_node_get_string (item) == '\0')
        return data_error (parse, member);
      g_strv_builder_add (builder, json_node_get_string (item));
    }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* An array member, or an empty one when absent and @optional. */
static gboolean
get_array (Parse       *parse,
           JsonObject  *object,
           const char  *member,
           gboolean     optional,
           JsonArray  **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL && optional)
    return TRUE;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return data_error (parse, member);
  *out = json_node_get_array (node);
  return TRUE;
}

static guint
array_length (JsonArray *array)
{
  return array != NULL ? json_array_get_length (array) : 0;
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

/* ---- servers ---- */

static gboolean
parse_server (Parse            *parse,
              JsonNode         *node,
              const char       *where,
              MsProviderServer *server)
{
  JsonObject *object;
  g_autofree char *security = NULL;
  gint64 port;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return data_error (parse, "server");
  object = json_node_get_object (node);
  if (!read_string (parse, object, "host", TRUE, &server->host)
      || !read_string (parse, object, "security", TRUE, &security)
      || !read_text (parse, object, "label", FALSE, where, &server->label))
    return FALSE;
  port = read_int (object, "port", 0);
  if (port < 1 || port > 65535)
    return data_error (parse, "port");
  /* Port 25 is for servers talking to servers, and most networks block it
   * for home lines (OP25B): never offer it for a program's submission. */
  if (port == 25)
    return data_error (parse, "port 25 is not a submission port");
  server->port = (guint16) port;
  if (!ms_security_from_string (security, &server->security)
      || server->security == MS_SECURITY_AUTO || server->security == MS_SECURITY_NONE)
    return data_error (parse, "security");
  return TRUE;
}

static gboolean
parse_smtp (Parse      *parse,
            JsonObject *object,
            MsProvider *provider)
{
  JsonNode *node = json_object_get_member (object, "smtp");
  JsonArray *array;

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      provider->smtp = g_new0 (MsProviderServer, 1);
      if (!parse_server (parse, node, "smtp", provider->smtp))
        return FALSE;
    }
  provider->alternatives = g_array_new (FALSE, TRUE, sizeof (MsProviderServer));
  g_array_set_clear_func (provider->alternatives, (GDestroyNotify) server_clear);
  if (!get_array (parse, object, "alternatives", FALSE, &array))
    return FALSE;
  for (guint i = 0; i < array_length (array); i++)
    {
      MsProviderServer server = { NULL, };
      g_autofree char *where = g_strdup_printf ("alternatives[%u]", i);

      if (!parse_server (parse, json_array_get_element (array, i), where, &server))
        {
          server_clear (&server);
          return FALSE;
        }
      g_array_append_val (provider->alternatives, server);
    }
  return TRUE;
}

/* ---- links, sources, sign-in ---- */

static gboolean
parse_links (Parse      *parse,
             JsonObject *object,
             MsProvider *provider)
{
  JsonArray *array;

  provider->links = g_ptr_array_new_with_free_func ((GDestroyNotify) link_free);
  if (!get_array (parse, object, "links", FALSE, &array))
    return FALSE;
  for (guint i = 0; i < array_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      MsProviderLink *link;
      g_autofree char *where = g_strdup_printf ("links[%u]", i);

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return data_error (parse, "links");
      link = g_new0 (MsProviderLink, 1);
      g_ptr_array_add (provider->links, link);
      if (!read_string (parse, json_node_get_object (item), "id", TRUE, &link->id)
          || !read_string (parse, json_node_get_object (item), "url", TRUE, &link->url)
          || !read_text (parse, json_node_get_object (item), "label", TRUE, where, &link->label))
        return FALSE;
      if (!is_https_url (link->url))
        return data_error (parse, "a URL that is not https");
    }
  return TRUE;
}

static gboolean
parse_sources (Parse      *parse,
               JsonObject *object,
               MsProvider *provider)
{
  JsonArray *array;

  provider->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) source_free);
  if (!get_array (parse, object, "sources", FALSE, &array))
    return FALSE;
  for (guint i = 0; i < array_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      MsProviderSource *source;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return data_error (parse, "sources");
      source = g_new0 (MsProviderSource, 1);
      g_ptr_array_add (provider->sources, source);
      if (!read_string (parse, json_node_get_object (item), "fact", TRUE, &source->fact)
          || !read_string (parse, json_node_get_object (item), "url", TRUE, &source->url))
        return FALSE;
      if (!is_https_url (source->url))
        return data_error (parse, "a URL that is not https");
    }
  return TRUE;
}

static gboolean
parse_steps (Parse            *parse,
             JsonObject       *object,
             MsProviderSignIn *sign_in)
{
  JsonArray *array;

  sign_in->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  if (!get_array (parse, object, "steps", TRUE, &array))
    return FALSE;
  for (guint i = 0; i < array_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("sign_in.steps[%u]", i);
      MsProviderStep *step;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return data_error (parse, "sign_in.steps");
      step = g_new0 (MsProviderStep, 1);
      g_ptr_array_add (sign_in->steps, step);
      if (!read_text (parse, json_node_get_object (item), "text", TRUE, where, &step->text)
          || !read_string (parse, json_node_get_object (item), "link", FALSE, &step->link))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_sign_in (Parse      *parse,
               JsonObject *object,
               MsProvider *provider)
{
  JsonNode *node = json_object_get_member (object, "sign_in");
  MsProviderSignIn *sign_in = &provider->sign_in;
  JsonObject *member;

  if (node == NULL)
    {
      sign_in->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return data_error (parse, "sign_in");
  member = json_node_get_object (node);
  return read_text (parse, member, "title", FALSE, "sign_in", &sign_in->title)
         && read_text (parse, member, "why_title", FALSE, "sign_in", &sign_in->why_title)
         && read_text (parse, member, "why", FALSE, "sign_in", &sign_in->why)
         && parse_steps (parse, member, sign_in)
         && read_text (parse, member, "help_title", FALSE, "sign_in", &sign_in->help_title)
         && read_text (parse, member, "help", FALSE, "sign_in", &sign_in->help)
         && read_string (parse, member, "help_link", FALSE, &sign_in->help_link)
         && read_text (parse, member, "password_label", FALSE, "sign_in",
                       &sign_in->password_label);
}

/* ---- GNOME Online Accounts ---- */

static gboolean
parse_online (Parse      *parse,
              JsonObject *object,
              MsProvider *provider)
{
  JsonNode *node = json_object_get_member (object, "online_accounts");
  MsProviderOnline *online = &provider->online;
  JsonObject *member;

  if (node == NULL)
    {
      online->goa_providers = g_new0 (char *, 1);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return data_error (parse, "online_accounts");
  member = json_node_get_object (node);
  if (!read_string_array (parse, member, "providers", FALSE, &online->goa_providers))
    return FALSE;
  if (online->goa_providers[0] == NULL)
    return data_error (parse, "online_accounts.providers");
  return read_text (parse, member, "why_title", FALSE, "online_accounts", &online->why_title)
         && read_text (parse, member, "why", FALSE, "online_accounts", &online->why)
         && read_text (parse, member, "missing", FALSE, "online_accounts", &online->missing);
}

/* The table's own "online_accounts": every word is required when it is
 * there (a table without it only lacks the wizard's Online Accounts path). */
static gboolean
parse_online_words (Parse         *parse,
                    JsonObject    *root,
                    MsOnlineWords *words)
{
  JsonNode *node = json_object_get_member (root, "online_accounts");
  JsonObject *o;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return data_error (parse, "online_accounts");
  o = json_node_get_object (node);
  return read_text (parse, o, "choice", TRUE, "online_accounts", &words->choice)
         && read_text (parse, o, "choice_detail", TRUE, "online_accounts", &words->choice_detail)
         && read_text (parse, o, "alternative", TRUE, "online_accounts", &words->alternative)
         && read_text (parse, o, "alternative_detail", TRUE, "online_accounts",
                       &words->alternative_detail)
         && read_text (parse, o, "missing_title", TRUE, "online_accounts", &words->missing_title)
         && read_text (parse, o, "missing", TRUE, "online_accounts", &words->missing)
         && read_text (parse, o, "settings_button", TRUE, "online_accounts",
                       &words->settings_button)
         && read_text (parse, o, "check_again", TRUE, "online_accounts", &words->check_again)
         && read_text (parse, o, "no_settings", TRUE, "online_accounts", &words->no_settings)
         && read_text (parse, o, "server_label", TRUE, "online_accounts", &words->server_label)
         && read_text (parse, o, "done_note", TRUE, "online_accounts", &words->done_note);
}

/* ---- replies and advice ---- */

static gboolean
parse_words (Parse           *parse,
             JsonObject      *object,
             const char      *where,
             MsProviderWords *words)
{
  return read_text (parse, object, "message", FALSE, where, &words->message)
         && read_text (parse, object, "advice", FALSE, where, &words->advice)
         && read_string (parse, object, "link", FALSE, &words->link);
}

static gboolean
parse_error_code (Parse       *parse,
                  JsonObject  *object,
                  MsErrorCode *out)
{
  g_autofree char *name = NULL;

  if (!read_string (parse, object, "error", TRUE, &name))
    return FALSE;
  if (!ms_error_code_from_string (name, out))
    return data_error (parse, "an unknown contract code");
  return TRUE;
}

static gboolean
parse_reply (Parse           *parse,
             JsonNode        *node,
             guint            index,
             MsProviderReply *reply)
{
  g_autofree char *where = g_strdup_printf ("replies[%u]", index);
  JsonObject *object;
  gint64 code;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return data_error (parse, "replies");
  object = json_node_get_object (node);
  code = read_int (object, "code", 0);
  if (code < 400 || code > 599)
    return data_error (parse, "a reply code that is not 4xx or 5xx");
  reply->code = (guint) code;
  return read_string (parse, object, "enhanced", FALSE, &reply->enhanced)
         && read_string_array (parse, object, "keywords", TRUE, &reply->keywords)
         && parse_error_code (parse, object, &reply->error)
         && parse_words (parse, object, where, &reply->words);
}

static gboolean
parse_replies (Parse      *parse,
               JsonObject *object,
               MsProvider *provider)
{
  JsonArray *array;

  provider->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) reply_free);
  if (!read_string (parse, object, "reply_signature", FALSE, &provider->reply_signature)
      || !get_array (parse, object, "replies", TRUE, &array))
    return FALSE;
  for (guint i = 0; i < array_length (array); i++)
    {
      MsProviderReply *reply = g_new0 (MsProviderReply, 1);

      g_ptr_array_add (provider->replies, reply);
      if (!parse_reply (parse, json_array_get_element (array, i), i, reply))
        return FALSE;
    }
  return TRUE;
}

/* "advice": { "auth-failed": { "message": ..., "advice": ..., "link": ... } } */
static gboolean
parse_advice (Parse      *parse,
              JsonObject *object,
              MsProvider *provider)
{
  JsonNode *node = json_object_get_member (object, "advice");
  g_autoptr(GList) members = NULL;
  JsonObject *advice;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return data_error (parse, "advice");
  advice = json_node_get_object (node);
  members = json_object_get_members (advice);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *item = json_object_get_member (advice, l->data);
      g_autofree char *where = g_strdup_printf ("advice.%s", (const char *) l->data);
      MsErrorCode code;

      if (!ms_error_code_from_string (l->data, &code))
        return data_error (parse, "advice for an unknown contract code");
      if (!JSON_NODE_HOLDS_OBJECT (item))
        return data_error (parse, where);
      /* parse_words() names what is wrong itself. */
      if (!parse_words (parse, json_node_get_object (item), where, &provider->advice[code]))
        return FALSE;
    }
  return TRUE;
}

/* ---- the rest of an entry ---- */

static gboolean
parse_password (Parse      *parse,
                JsonObject *object,
                MsProvider *provider)
{
  JsonNode *node = json_object_get_member (object, "password");
  JsonObject *password;
  gint64 length;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return data_error (parse, "password");
  password = json_node_get_object (node);
  if (!read_string (parse, password, "format", FALSE, &provider->password_format)
      || !read_string (parse, password, "alphabet", FALSE, &provider->password_alphabet)
      || !read_string (parse, password, "strip", FALSE, &provider->password_strip))
    return FALSE;
  length = read_int (password, "length", 0);
  if (length < 0 || length > 256)
    return data_error (parse, "password length");
  provider->password_length = (guint) length;
  if (provider->password_format != NULL && !regex_compiles (provider->password_format))
    return data_error (parse, "password format does not compile");
  if (provider->password_alphabet != NULL && !regex_compiles (provider->password_alphabet))
    return data_error (parse, "password alphabet does not compile");
  if (provider->password_format != NULL && provider->password_length == 0)
    return data_error (parse, "a password format needs a length");
  return TRUE;
}

static gboolean
parse_kinds (Parse      *parse,
             JsonObject *object,
             MsProvider *provider)
{
  g_autofree char *username = NULL;
  g_autofree char *secret = NULL;
  gboolean found = FALSE;

  if (!read_string (parse, object, "username", TRUE, &username)
      || !read_string (parse, object, "secret", TRUE, &secret)
      || !read_string (parse, object, "secret_link", FALSE, &provider->secret_link))
    return FALSE;
  if (g_str_equal (username, "address"))
    provider->username_form = MS_USERNAME_ADDRESS;
  else if (g_str_equal (username, "local-part"))
    provider->username_form = MS_USERNAME_LOCAL_PART;
  else
    return data_error (parse, "username");
  for (guint i = 0; i < G_N_ELEMENTS (secret_kind_names); i++)
    {
      if (g_str_equal (secret, secret_kind_names[i]))
        {
          provider->secret_kind = (MsSecretKind) i;
          found = TRUE;
        }
    }
  return found ? TRUE : data_error (parse, "secret");
}

static gboolean
parse_notes (Parse      *parse,
             JsonObject *object,
             MsProvider *provider)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (!get_array (parse, object, "notes", FALSE, &array))
    return FALSE;
  for (guint i = 0; i < array_length (array); i++)
    {
      g_autofree char *where = g_strdup_printf ("notes[%u]", i);
      g_autofree char *text = NULL;

      if (!read_text_node (parse, json_array_get_element (array, i), where, &text))
        return FALSE;
      g_strv_builder_add (builder, text);
    }
  provider->notes = g_strv_builder_end (builder);
  return TRUE;
}

/* ---- whole-entry checks ---- */

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
is_link (const MsProvider *provider,
         const char       *id)
{
  return id == NULL || ms_provider_get_link (provider, id) != NULL;
}

static gboolean
links_resolve (const MsProvider *provider)
{
  if (!is_link (provider, provider->secret_link)
      || !is_link (provider, provider->sign_in.help_link))
    return FALSE;
  for (guint i = 0; i < provider->sign_in.steps->len; i++)
    if (!is_link (provider, ((MsProviderStep *) g_ptr_array_index (provider->sign_in.steps, i))->link))
      return FALSE;
  for (guint i = 0; i < provider->replies->len; i++)
    if (!is_link (provider, ((MsProviderReply *) g_ptr_array_index (provider->replies, i))->words.link))
      return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (provider->advice); i++)
    if (!is_link (provider, provider->advice[i].link))
      return FALSE;
  return TRUE;
}

static gboolean
is_fact (const char *fact)
{
  return g_strv_contains (fact_names, fact);
}

static gboolean
check_facts (Parse            *parse,
             const MsProvider *provider)
{
  for (guint i = 0; i < provider->sources->len; i++)
    if (!is_fact (((MsProviderSource *) g_ptr_array_index (provider->sources, i))->fact))
      return data_error (parse, "a source for an unknown fact");
  for (guint i = 0; provider->unconfirmed[i] != NULL; i++)
    if (!is_fact (provider->unconfirmed[i]) || !has_source (provider, provider->unconfirmed[i]))
      return data_error (parse, "an unconfirmed fact needs a source that says where it came from");
  return TRUE;
}

/* Only the placeholders ms_provider_expand_host() knows; an MX one needs
 * MX patterns to come from. */
static gboolean
host_template_ok (const MsProvider       *provider,
                  const MsProviderServer *server)
{
  g_autofree char *bare = NULL;
  gboolean needs_mx;

  if (server == NULL)
    return TRUE;
  needs_mx = strstr (server->host, "{mx") != NULL;
  bare = ms_provider_expand_host (server->host, "d.test", "m.test", "p.test");
  return strpbrk (bare, "{}") == NULL && (!needs_mx || provider->mx_patterns[0] != NULL);
}

static gboolean
check_complete (Parse            *parse,
                const MsProvider *provider)
{
  const char *id = provider->id;

  for (const char *p = id; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return data_error (parse, "id");
  for (guint i = 0; provider->domains[i] != NULL; i++)
    {
      g_autofree char *lower = g_ascii_strdown (provider->domains[i], -1);

      if (!g_str_equal (lower, provider->domains[i]) || strchr (lower, '@') != NULL)
        return data_error (parse, "domains");
    }
  if (provider->sources->len == 0)
    return data_error (parse, "no sources");
  if (provider->smtp != NULL && !has_source (provider, "smtp"))
    return data_error (parse, "smtp without a source");
  if (provider->secret_kind != MS_SECRET_ACCOUNT_PASSWORD && !has_source (provider, "secret"))
    return data_error (parse, "secret kind without a source");
  if (provider->secret_kind == MS_SECRET_APP_PASSWORD && provider->secret_link == NULL)
    return data_error (parse, "an app password needs a page to create it");
  if (provider->password_format != NULL && !has_source (provider, "password"))
    return data_error (parse, "password format without a source");
  if (!host_template_ok (provider, provider->smtp))
    return data_error (parse, "a server name with an unknown placeholder");
  for (guint i = 0; i < provider->alternatives->len; i++)
    if (!host_template_ok (provider, &g_array_index (provider->alternatives, MsProviderServer, i)))
      return data_error (parse, "a server name with an unknown placeholder");
  if (!links_resolve (provider))
    return data_error (parse, "a link id that is not in links");
  if (provider->online.goa_providers[0] != NULL && !has_source (provider, "online_accounts"))
    return data_error (parse, "online_accounts without a source");
  return check_facts (parse, provider);
}

static MsProvider *
parse_provider (Parse    *parse,
                JsonNode *node)
{
  MsProvider *provider = g_new0 (MsProvider, 1);
  JsonObject *object;

  parse->id = NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      data_error (parse, "a provider that is not an object");
      provider_free (provider);
      return NULL;
    }
  object = json_node_get_object (node);
  if (!read_string (parse, object, "id", TRUE, &provider->id))
    {
      provider_free (provider);
      return NULL;
    }
  parse->id = provider->id;
  if (!read_text (parse, object, "name", TRUE, NULL, &provider->name)
      || !read_text (parse, object, "short_name", TRUE, NULL, &provider->short_name)
      || !read_string_array (parse, object, "domains", FALSE, &provider->domains)
      || !read_string_array (parse, object, "domain_suffixes", TRUE, &provider->domain_suffixes)
      || !read_string_array (parse, object, "mx_patterns", FALSE, &provider->mx_patterns)
      || !parse_notes (parse, object, provider)
      || !parse_smtp (parse, object, provider)
      || !parse_kinds (parse, object, provider)
      || !parse_links (parse, object, provider)
      || !parse_sign_in (parse, object, provider)
      || !parse_online (parse, object, provider)
      || !parse_replies (parse, object, provider)
      || !parse_advice (parse, object, provider)
      || !read_string_array (parse, object, "unconfirmed", TRUE, &provider->unconfirmed)
      || !parse_sources (parse, object, provider)
      || !parse_password (parse, object, provider)
      || !check_complete (parse, provider))
    {
      provider_free (provider);
      return NULL;
    }
  return provider;
}

static gboolean
check_unique (Parse     *parse,
              GPtrArray *providers)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < providers->len; i++)
    {
      MsProvider *provider = g_ptr_array_index (providers, i);

      parse->id = provider->id;
      if (!g_hash_table_add (seen, provider->id))
        return data_error (parse, "id used twice");
      for (guint j = 0; provider->domains[j] != NULL; j++)
        if (!g_hash_table_add (seen, provider->domains[j]))
          return data_error (parse, "domain used twice");
      for (guint j = 0; provider->domain_suffixes[j] != NULL; j++)
        if (!g_hash_table_add (seen, provider->domain_suffixes[j]))
          return data_error (parse, "domain suffix used twice");
    }
  return TRUE;
}

static GPtrArray *
parse_table (GBytes         *json,
             GPtrArray      *strings,
             MsOnlineWords  *words,
             GError        **error)
{
  MsOnlineWords unused = { NULL, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) parse_error = NULL;
  Parse parse = { NULL, strings, error };
  JsonObject *root;
  JsonArray *array;
  gsize size;
  const char *data = g_bytes_get_data (json, &size);

  if (data == NULL || size == 0)
    return data_error (&parse, "empty"), NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) size, &parse_error))
    return data_error (&parse, parse_error->message), NULL;
  if (json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return data_error (&parse, "root"), NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  if (read_int (root, "version", 0) != PROVIDERS_VERSION)
    return data_error (&parse, "version"), NULL;
  /* get_array() names the member in the error itself. */
  if (!get_array (&parse, root, "providers", FALSE, &array))
    return NULL;
  providers = g_ptr_array_new_with_free_func ((GDestroyNotify) provider_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      MsProvider *provider = parse_provider (&parse, json_array_get_element (array, i));

      if (provider == NULL)
        return NULL;
      g_ptr_array_add (providers, provider);
    }
  if (!check_unique (&parse, providers))
    return NULL;
  parse.id = NULL;
  if (!parse_online_words (&parse, root, words != NULL ? words : &unused))
    {
      online_words_clear (words != NULL ? words : &unused);
      return NULL;
    }
  online_words_clear (&unused);
  return g_steal_pointer (&providers);
}

/**
 * ms_provider_validate_data:
 * @json: the text of a providers.json
 * @error: return location for an error
 *
 * Checks a provider table the way the loader does: every entry complete,
 * every URL https, every format compiles, a source for every fact that
 * needs one, every link id known, no port 25, no id or domain twice.
 *
 * Returns: %TRUE when valid; otherwise @error is `internal`
 */
gboolean
ms_provider_validate_data (GBytes  *json,
                           GError **error)
{
  g_autoptr(GPtrArray) providers = NULL;

  g_return_val_if_fail (json != NULL, FALSE);

  providers = parse_table (json, NULL, NULL, error);
  return providers != NULL;
}

/**
 * ms_provider_collect_strings:
 * @json: the text of a providers.json
 * @error: return location for an error
 *
 * Every human string of a valid table, in the order of the file, with
 * where it is and its note for translators: what the catalogue needs
 * (the build writes them as XML for xgettext's ITS rule, po/README.md).
 *
 * Returns: (transfer full) (element-type MsProviderString) (nullable): the
 *   strings, or %NULL with @error set to `internal` when @json is not valid
 */
GPtrArray *
ms_provider_collect_strings (GBytes  *json,
                             GError **error)
{
  g_autoptr(GPtrArray) strings = NULL;
  g_autoptr(GPtrArray) providers = NULL;

  g_return_val_if_fail (json != NULL, NULL);

  strings = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_provider_string_free);
  providers = parse_table (json, strings, NULL, error);
  if (providers == NULL)
    return NULL;
  return g_steal_pointer (&strings);
}

typedef struct
{
  GPtrArray     *providers;  /* MsProvider */
  MsOnlineWords  online_words;
} ProviderTable;

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
        table.providers = parse_table (bytes, NULL, &table.online_words, &error);
      if (table.providers == NULL)
        {
          g_critical ("Cannot load the provider table: %s", error->message);
          table.providers = g_ptr_array_new ();
        }
      g_once_init_leave (&once, 1);
    }
  return &table;
}

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

const char *
ms_secret_kind_to_string (MsSecretKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (secret_kind_names), NULL);
  return secret_kind_names[kind];
}

/**
 * ms_provider_get_online_words:
 *
 * The wizard's words for GNOME Online Accounts (docs/providers.md,
 * "Online Accounts"); each member is %NULL when the table has none.
 *
 * Returns: (transfer none): the words, untranslated
 */
const MsOnlineWords *
ms_provider_get_online_words (void)
{
  return &get_table ()->online_words;
}

/**
 * ms_provider_has_online_accounts:
 * @provider: (nullable): a provider
 *
 * Returns: %TRUE when a GNOME Online Accounts account can carry the
 *   provider's mail (the wizard then offers that way)
 */
gboolean
ms_provider_has_online_accounts (const MsProvider *provider)
{
  return provider != NULL && provider->online.goa_providers != NULL
         && provider->online.goa_providers[0] != NULL;
}
