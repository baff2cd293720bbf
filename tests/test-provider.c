/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-provider"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ms-error.h"
#include "ms-provider.h"

/* ---- a resolver of the test's own: MX and SRV answers from a table ---- */

#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

struct _TestResolver
{
  GResolver   parent_instance;
  GHashTable *records;     /* "TYPE name" -> GPtrArray of GVariant */
  guint       queries;     /* record lookups answered */
  guint       name_lookups;  /* host lookups: must stay 0 (nothing connects) */
};

G_DEFINE_FINAL_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static char *
record_key (const char          *name,
            GResolverRecordType  type)
{
  return g_strdup_printf ("%d %s", (int) type, name);
}

static void
test_resolver_add (TestResolver        *self,
                   const char          *name,
                   GResolverRecordType  type,
                   GVariant            *record)
{
  g_autofree char *key = record_key (name, type);
  GPtrArray *list = g_hash_table_lookup (self->records, key);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
      g_hash_table_insert (self->records, g_steal_pointer (&key), list);
    }
  g_ptr_array_add (list, g_variant_ref_sink (record));
}

static GList *
test_resolver_lookup_records (GResolver            *resolver,
                              const char           *rrname,
                              GResolverRecordType   record_type,
                              GCancellable         *cancellable,
                              GError              **error)
{
  TestResolver *self = TEST_RESOLVER (resolver);
  g_autofree char *key = record_key (rrname, record_type);
  GPtrArray *list;
  GList *records = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  g_atomic_int_inc (&self->queries);
  list = g_hash_table_lookup (self->records, key);
  if (list == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "No records for %s", rrname);
      return NULL;
    }
  for (guint i = 0; i < list->len; i++)
    records = g_list_append (records, g_variant_ref (g_ptr_array_index (list, i)));
  return records;
}

static void
test_resolver_lookup_records_async (GResolver           *resolver,
                                    const char          *rrname,
                                    GResolverRecordType  record_type,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *records;

  records = test_resolver_lookup_records (resolver, rrname, record_type, cancellable, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, NULL);
}

static GList *
test_resolver_lookup_records_finish (GResolver     *resolver,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
test_resolver_lookup_by_name (GResolver     *resolver,
                              const char    *hostname,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_atomic_int_inc (&TEST_RESOLVER (resolver)->name_lookups);
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "Not resolving %s", hostname);
  return NULL;
}

static void
test_resolver_finalize (GObject *object)
{
  g_hash_table_unref (TEST_RESOLVER (object)->records);
  G_OBJECT_CLASS (test_resolver_parent_class)->finalize (object);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = test_resolver_finalize;
  resolver_class->lookup_records = test_resolver_lookup_records;
  resolver_class->lookup_records_async = test_resolver_lookup_records_async;
  resolver_class->lookup_records_finish = test_resolver_lookup_records_finish;
  resolver_class->lookup_by_name = test_resolver_lookup_by_name;
}

static void
test_resolver_init (TestResolver *self)
{
  self->records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
}

static TestResolver *
make_resolver (void)
{
  TestResolver *resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);

  /* A Google Workspace domain. */
  test_resolver_add (resolver, "workspace.test", G_RESOLVER_RECORD_MX,
                     g_variant_new ("(qs)", 20, "ALT1.ASPMX.L.GOOGLE.COM."));
  test_resolver_add (resolver, "workspace.test", G_RESOLVER_RECORD_MX,
                     g_variant_new ("(qs)", 1, "aspmx.l.google.com"));
  /* A domain of its own whose SRV records give the server. */
  test_resolver_add (resolver, "srv.test", G_RESOLVER_RECORD_MX,
                     g_variant_new ("(qs)", 10, "mx.srv.test"));
  test_resolver_add (resolver, "_submissions._tcp.srv.test", G_RESOLVER_RECORD_SRV,
                     g_variant_new ("(qqqs)", 10, 1, 465, "backup.srv.test"));
  test_resolver_add (resolver, "_submissions._tcp.srv.test", G_RESOLVER_RECORD_SRV,
                     g_variant_new ("(qqqs)", 0, 1, 465, "mail.srv.test."));
  /* Only STARTTLS submission; implicit TLS explicitly not offered. */
  test_resolver_add (resolver, "_submissions._tcp.plain.test", G_RESOLVER_RECORD_SRV,
                     g_variant_new ("(qqqs)", 0, 0, 0, "."));
  test_resolver_add (resolver, "_submission._tcp.plain.test", G_RESOLVER_RECORD_SRV,
                     g_variant_new ("(qqqs)", 0, 1, 587, "submit.plain.test"));
  /* Zoho on an organisation's own domain, in the European data centre. */
  test_resolver_add (resolver, "zoho-eu.test", G_RESOLVER_RECORD_MX,
                     g_variant_new ("(qs)", 10, "mx.zoho.eu"));
  /* A domain hosted at Xserver, whose MX is the server itself. */
  test_resolver_add (resolver, "hosted.test", G_RESOLVER_RECORD_MX,
                     g_variant_new ("(qs)", 10, "sv1234.xserver.jp."));
  /* Microsoft 365 (work or school). */
  test_resolver_add (resolver, "contoso.test", G_RESOLVER_RECORD_MX,
                     g_variant_new ("(qs)", 0, "contoso-test.mail.protection.outlook.com"));
  /* A lookalike that must not count as Google. */
  test_resolver_add (resolver, "lookalike.test", G_RESOLVER_RECORD_MX,
                     g_variant_new ("(qs)", 10, "mx.notgoogle.com"));
  return resolver;
}

/* ---- data ---- */

static GBytes *
read_source_json (void)
{
  g_autofree char *path = g_build_filename (MS_TEST_SRCDIR, "..", "src", "core",
                                            "providers.json", NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static void
test_data_valid (void)
{
  g_autoptr(GBytes) bytes = read_source_json ();
  g_autoptr(GError) error = NULL;
  guint n = 0;
  const MsProvider *const *all;

  ms_provider_validate_data (bytes, &error);
  g_assert_no_error (error);

  all = ms_provider_get_all (&n);
  g_assert_cmpuint (n, >=, 10);
  g_assert_cmpstr (all[0]->id, ==, "gmail");
  g_assert_cmpstr (all[1]->id, ==, "google-workspace");
}

static void
assert_https (const char *url)
{
  g_assert_nonnull (url);
  g_assert_true (g_str_has_prefix (url, "https://"));
  g_assert_null (strpbrk (url, " \t\r\n"));
}

static void
test_data_complete (void)
{
  guint n = 0;
  const MsProvider *const *all = ms_provider_get_all (&n);

  for (guint i = 0; i < n; i++)
    {
      const MsProvider *p = all[i];

      g_test_message ("provider %s", p->id);
      g_assert_true (p->name != NULL && *p->name != '\0');
      g_assert_true (p->short_name != NULL && *p->short_name != '\0');
      g_assert_nonnull (p->domains);
      g_assert_nonnull (p->mx_patterns);
      g_assert_nonnull (p->notes);
      g_assert_cmpuint (p->sources->len, >, 0);
      for (guint j = 0; j < p->sources->len; j++)
        assert_https (((MsProviderSource *) g_ptr_array_index (p->sources, j))->url);
      for (guint j = 0; j < p->links->len; j++)
        {
          MsProviderLink *link = g_ptr_array_index (p->links, j);

          assert_https (link->url);
          g_assert_true (*ms_provider_link_get_label (link) != '\0');
        }
      for (guint j = 0; j < p->sign_in.steps->len; j++)
        {
          MsProviderStep *step = g_ptr_array_index (p->sign_in.steps, j);

          g_assert_true (*ms_provider_get_text (step->text) != '\0');
          g_assert_true (step->link == NULL || ms_provider_get_link (p, step->link) != NULL);
        }
      for (guint j = 0; j < p->replies->len; j++)
        {
          MsProviderReply *reply = g_ptr_array_index (p->replies, j);

          g_assert_cmpuint (reply->code / 100, >=, 4);
          g_assert_true (reply->words.link == NULL
                         || ms_provider_get_link (p, reply->words.link) != NULL);
        }
      /* Port 25 is never offered for submission (OP25B, docs/providers.md). */
      if (p->smtp != NULL)
        g_assert_cmpuint (p->smtp->port, !=, 25);
      for (guint j = 0; j < p->alternatives->len; j++)
        g_assert_cmpuint (g_array_index (p->alternatives, MsProviderServer, j).port, !=, 25);
      if (p->secret_kind == MS_SECRET_APP_PASSWORD)
        assert_https (ms_provider_get_secret_url (p));
      if (p->smtp != NULL)
        {
          g_assert_true (p->smtp->host != NULL && p->smtp->port > 0);
          g_assert_true (p->smtp->security == MS_SECURITY_TLS
                         || p->smtp->security == MS_SECURITY_STARTTLS);
        }
      if (p->password_format != NULL)
        {
          g_autoptr(GRegex) regex = g_regex_new (p->password_format, 0, 0, NULL);

          g_assert_nonnull (regex);
          g_assert_cmpuint (p->password_length, >, 0);
        }
      if (p->password_alphabet != NULL)
        {
          g_autoptr(GRegex) regex = g_regex_new (p->password_alphabet, 0, 0, NULL);

          g_assert_nonnull (regex);
        }
    }
}

static void
assert_invalid (const char *json)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;

  g_assert_false (ms_provider_validate_data (bytes, &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_INTERNAL);
}

#define ENTRY(extra) \
  "{\"version\":2,\"providers\":[{\"id\":\"x\",\"name\":\"X\",\"short_name\":\"X\"," \
  "\"domains\":[\"x.test\"],\"mx_patterns\":[],\"alternatives\":[],\"username\":\"address\"," \
  "\"notes\":[]," extra "}]}"

static void
test_data_invalid (void)
{
  const char *good = ENTRY ("\"smtp\":{\"host\":\"smtp.x.test\",\"port\":465,\"security\":\"tls\"},"
                            "\"secret\":\"account-password\",\"links\":[],\"password\":{},"
                            "\"sources\":[{\"fact\":\"smtp\",\"url\":\"https://x.test/\"}]");
  g_autoptr(GBytes) bytes = g_bytes_new (good, strlen (good));
  g_autoptr(GError) error = NULL;

  g_assert_true (ms_provider_validate_data (bytes, &error));
  g_assert_no_error (error);

  /* A plain http source. */
  assert_invalid (ENTRY ("\"smtp\":null,\"secret\":\"account-password\",\"links\":[],"
                         "\"password\":{},\"sources\":[{\"fact\":\"x\",\"url\":\"http://x.test/\"}]"));
  /* A format that does not compile. */
  assert_invalid (ENTRY ("\"smtp\":null,\"secret\":\"account-password\",\"links\":[],"
                         "\"password\":{\"format\":\"^[a-z\",\"length\":4},"
                         "\"sources\":[{\"fact\":\"password\",\"url\":\"https://x.test/\"}]"));
  /* SMTP settings without a source for them. */
  assert_invalid (ENTRY ("\"smtp\":{\"host\":\"smtp.x.test\",\"port\":465,\"security\":\"tls\"},"
                         "\"secret\":\"account-password\",\"links\":[],\"password\":{},"
                         "\"sources\":[{\"fact\":\"domains\",\"url\":\"https://x.test/\"}]"));
  /* An app password with no page to create it. */
  assert_invalid (ENTRY ("\"smtp\":null,\"secret\":\"app-password\",\"links\":[],"
                         "\"password\":{},\"sources\":[{\"fact\":\"secret\",\"url\":\"https://x.test/\"}]"));
  /* An unknown secret kind, a bad port. */
  assert_invalid (ENTRY ("\"smtp\":null,\"secret\":\"magic\",\"links\":[],"
                         "\"password\":{},\"sources\":[{\"fact\":\"x\",\"url\":\"https://x.test/\"}]"));
  assert_invalid (ENTRY ("\"smtp\":{\"host\":\"smtp.x.test\",\"port\":0,\"security\":\"tls\"},"
                         "\"secret\":\"account-password\",\"links\":[],\"password\":{},"
                         "\"sources\":[{\"fact\":\"smtp\",\"url\":\"https://x.test/\"}]"));
  assert_invalid ("{\"version\":1,\"providers\":[]}");
  assert_invalid ("{\"version\":3,\"providers\":[]}");
  /* Port 25 offered for submission. */
  assert_invalid (ENTRY ("\"smtp\":{\"host\":\"smtp.x.test\",\"port\":25,\"security\":\"starttls\"},"
                         "\"secret\":\"account-password\",\"links\":[],\"password\":{},"
                         "\"sources\":[{\"fact\":\"smtp\",\"url\":\"https://x.test/\"}]"));
  /* A step whose link is not in links, a reply with an unknown code. */
  assert_invalid (ENTRY ("\"smtp\":null,\"secret\":\"account-password\",\"links\":[],"
                         "\"sign_in\":{\"steps\":[{\"text\":\"Go\",\"link\":\"nowhere\"}]},"
                         "\"password\":{},\"sources\":[{\"fact\":\"secret\",\"url\":\"https://x.test/\"}]"));
  assert_invalid (ENTRY ("\"smtp\":null,\"secret\":\"account-password\",\"links\":[],"
                         "\"replies\":[{\"code\":535,\"error\":\"no-such-code\"}],"
                         "\"password\":{},\"sources\":[{\"fact\":\"secret\",\"url\":\"https://x.test/\"}]"));
  /* An unconfirmed fact without a source saying where it came from. */
  assert_invalid (ENTRY ("\"smtp\":null,\"secret\":\"account-password\",\"links\":[],"
                         "\"unconfirmed\":[\"username\"],"
                         "\"password\":{},\"sources\":[{\"fact\":\"secret\",\"url\":\"https://x.test/\"}]"));
  assert_invalid ("not json");
  /* Found by fuzzing: each used to raise a critical before the "no". */
  assert_invalid ("");
  assert_invalid ("  \n");
  assert_invalid ("//");
  assert_invalid ("{\"version\":[],\"providers\":[]}");
  assert_invalid (ENTRY ("\"smtp\":{\"host\":\"smtp.x.test\",\"port\":{},\"security\":\"tls\"},"
                         "\"secret\":\"account-password\",\"links\":[],\"password\":{},"
                         "\"sources\":[{\"fact\":\"smtp\",\"url\":\"https://x.test/\"}]"));
  assert_invalid (ENTRY ("\"smtp\":null,\"secret\":\"account-password\",\"links\":[],"
                         "\"password\":{\"length\":[1]},"
                         "\"sources\":[{\"fact\":\"x\",\"url\":\"https://x.test/\"}]"));
}

/* Every human string of the table reaches the catalogue: in Japanese, each
 * sentence (three words or more; names may stay as they are) reads
 * differently from the English. po/its/providers.its and the build's
 * providers.json.i18n are what carry them there. */
static void
test_strings_translatable (void)
{
  g_autoptr(GBytes) bytes = read_source_json ();
  g_autoptr(GPtrArray) strings = NULL;
  g_autoptr(GError) error = NULL;
  guint sentences = 0;

  strings = ms_provider_collect_strings (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strings->len, >, 50);
  if (setlocale (LC_ALL, "ja_JP.UTF-8") == NULL)
    {
      g_test_skip ("no ja_JP.UTF-8 locale");
      return;
    }
  g_setenv ("LANGUAGE", "ja", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, MS_TEST_BUILDDIR "/../po");
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  for (guint i = 0; i < strings->len; i++)
    {
      const MsProviderString *string = g_ptr_array_index (strings, i);
      g_auto(GStrv) words = g_strsplit (string->text, " ", 4);

      if (g_strv_length (words) < 3 || g_str_has_suffix (string->where, "name"))
        continue;
      sentences++;
      if (g_str_equal (ms_provider_get_text (string->text), string->text))
        g_test_message ("not translated: %s (%s)", string->text, string->where);
      g_assert_cmpstr (ms_provider_get_text (string->text), !=, string->text);
    }
  g_assert_cmpuint (sentences, >, 20);
  setlocale (LC_ALL, "C.UTF-8");
  g_unsetenv ("LANGUAGE");
}

static void
test_lookup (void)
{
  g_assert_cmpstr (ms_provider_lookup ("gmail")->id, ==, "gmail");
  g_assert_null (ms_provider_lookup ("nonesuch"));
  g_assert_cmpstr (ms_provider_lookup_domain ("gmail.com")->id, ==, "gmail");
  g_assert_cmpstr (ms_provider_lookup_domain ("GoogleMail.COM")->id, ==, "gmail");
  g_assert_cmpstr (ms_provider_lookup_domain ("yahoo.co.uk")->id, ==, "yahoo");
  g_assert_cmpstr (ms_provider_lookup_domain ("me.com")->id, ==, "icloud");
  g_assert_cmpstr (ms_provider_lookup_domain ("hotmail.com")->id, ==, "outlook");
  g_assert_null (ms_provider_lookup_domain ("example.org"));
  g_assert_null (ms_provider_lookup_domain ("mail.gmail.com"));
  g_assert_cmpstr (ms_provider_lookup_mx ("aspmx.l.google.com")->id, ==, "google-workspace");
  g_assert_cmpstr (ms_provider_lookup_mx ("smtp.google.com.")->id, ==, "google-workspace");
  g_assert_null (ms_provider_lookup_mx ("mx.notgoogle.com"));
  g_assert_null (ms_provider_lookup_mx ("google.com.evil.test"));
  g_assert_cmpstr (ms_provider_lookup_host ("SMTP.gmail.com")->id, ==, "gmail");
  g_assert_cmpstr (ms_provider_get_name (ms_provider_lookup ("gmail")), ==, "Gmail (Google Account)");
  g_assert_cmpstr (ms_provider_get_name (ms_provider_lookup ("google-workspace")), ==,
                   "Google Workspace (mail handled by Google)");
  g_assert_cmpstr (ms_provider_get_secret_url (ms_provider_lookup ("gmail")), ==,
                   "https://myaccount.google.com/apppasswords");
  g_assert_cmpint (ms_provider_lookup ("outlook")->secret_kind, ==, MS_SECRET_OAUTH_ONLY);
}

/* ---- GNOME Online Accounts (docs/providers.md, "Online Accounts") ---- */

static void
test_online_accounts (void)
{
  const MsOnlineWords *words = ms_provider_get_online_words ();
  const MsProvider *outlook = ms_provider_lookup ("outlook");
  const char *const good_source = "\"sources\":[{\"fact\":\"online_accounts\",\"url\":\"https://x.test/\"}]";
  g_autofree char *with_source = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  /* Every word the wizard shows is in the built-in table. */
  g_assert_nonnull (words->choice);
  g_assert_nonnull (words->choice_detail);
  g_assert_nonnull (words->alternative);
  g_assert_nonnull (words->alternative_detail);
  g_assert_nonnull (words->missing_title);
  g_assert_nonnull (words->missing);
  g_assert_nonnull (words->settings_button);
  g_assert_nonnull (words->check_again);
  g_assert_nonnull (words->no_settings);
  g_assert_nonnull (words->server_label);
  g_assert_nonnull (words->done_note);

  /* Google's mail through GOA's "google" accounts; Outlook.com only through
   * GOA 3.46's "windows_live" ones, with its own words; Microsoft 365 (GOA's
   * "ms_graph" has no SMTP server) not at all. */
  g_assert_true (g_strv_contains ((const char *const *) ms_provider_lookup ("gmail")->online.goa_providers, "google"));
  g_assert_true (g_strv_contains ((const char *const *) ms_provider_lookup ("google-workspace")->online.goa_providers, "google"));
  g_assert_true (g_strv_contains ((const char *const *) outlook->online.goa_providers, "windows_live"));
  g_assert_true (ms_provider_has_online_accounts (outlook));
  g_assert_nonnull (outlook->online.why);
  g_assert_nonnull (strstr (outlook->online.missing, "3.46"));
  g_assert_false (ms_provider_has_online_accounts (ms_provider_lookup ("microsoft-365")));
  g_assert_false (ms_provider_has_online_accounts (ms_provider_lookup ("yahoo")));
  g_assert_false (ms_provider_has_online_accounts (NULL));

  /* The loader: GOA providers need a source, and are not empty. */
  with_source = g_strdup_printf (ENTRY ("\"smtp\":null,\"secret\":\"account-password\",\"links\":[],"
                                        "\"password\":{},\"online_accounts\":{\"providers\":[\"google\"]},%s"),
                                 good_source);
  bytes = g_bytes_new (with_source, strlen (with_source));
  g_assert_true (ms_provider_validate_data (bytes, &error));
  g_assert_no_error (error);
  assert_invalid (ENTRY ("\"smtp\":null,\"secret\":\"account-password\",\"links\":[],"
                         "\"password\":{},\"online_accounts\":{\"providers\":[\"google\"]},"
                         "\"sources\":[{\"fact\":\"notes\",\"url\":\"https://x.test/\"}]"));
  assert_invalid (ENTRY ("\"smtp\":null,\"secret\":\"account-password\",\"links\":[],"
                         "\"password\":{},\"online_accounts\":{\"providers\":[]},"
                         "\"sources\":[{\"fact\":\"online_accounts\",\"url\":\"https://x.test/\"}]"));
  /* The table's own words: all or none. */
  assert_invalid ("{\"version\":2,\"online_accounts\":{\"choice\":\"Use it\"},\"providers\":[]}");
}

/* ---- app-password checks ---- */

static MsPasswordVerdict
check (const char *provider_id,
       const char *text,
       guint      *length,
       char      **message)
{
  const MsProvider *provider = provider_id ? ms_provider_lookup (provider_id) : NULL;
  MsPasswordVerdict verdict = ms_provider_check_password (provider, text, length, NULL);

  *message = ms_provider_password_message (provider, verdict, *length);
  return verdict;
}

static void
test_password_gmail (void)
{
  const MsProvider *gmail = ms_provider_lookup ("gmail");
  g_autoptr(MsPassword) normalised = NULL;
  g_autofree char *message = NULL;
  guint length = 0;

  g_assert_cmpint (ms_provider_check_password (gmail, "abcd efgh ijkl mnop", &length, &normalised),
                   ==, MS_PASSWORD_OK);
  g_assert_cmpuint (length, ==, 16);
  g_assert_cmpstr (ms_password_get_text (normalised), ==, "abcdefghijklmnop");
  g_assert_cmpuint (ms_password_get_length (normalised), ==, 16);
  message = ms_provider_password_message (gmail, MS_PASSWORD_OK, length);
  g_assert_cmpstr (message, ==, "16 letters");
  g_clear_pointer (&message, g_free);

  g_assert_cmpint (check ("gmail", "abcdefghijklmnop", &length, &message), ==, MS_PASSWORD_OK);
  g_clear_pointer (&message, g_free);

  g_assert_cmpint (check ("gmail", "abcd efgh ijkl mno", &length, &message), ==,
                   MS_PASSWORD_TOO_SHORT);
  g_assert_cmpuint (length, ==, 15);
  g_assert_cmpstr (message, ==, "An app password has 16 letters; this has 15");
  g_clear_pointer (&message, g_free);

  g_assert_cmpint (check ("gmail", "abcd efgh ijkl mnopq", &length, &message), ==,
                   MS_PASSWORD_TOO_LONG);
  g_assert_cmpuint (length, ==, 17);
  g_clear_pointer (&message, g_free);

  g_assert_cmpint (check ("gmail", "Summer2024!", &length, &message), ==,
                   MS_PASSWORD_LOOKS_LIKE_ACCOUNT_PASSWORD);
  g_assert_cmpstr (message, ==, "This looks like a normal password. Gmail needs an app password.");
  g_clear_pointer (&message, g_free);

  g_assert_cmpint (check ("gmail", "    ", &length, &message), ==, MS_PASSWORD_EMPTY);
  g_assert_nonnull (message);
  g_clear_pointer (&message, g_free);

  g_assert_cmpint (check ("gmail", "abcd efgh\nijkl mnop", &length, &message), ==,
                   MS_PASSWORD_BAD_CHARACTERS);
  g_assert_nonnull (message);
  g_clear_pointer (&message, g_free);
}

static void
test_password_other (void)
{
  g_autofree char *message = NULL;
  guint length = 0;

  /* No format known: anything printable passes, spaces are kept. */
  g_assert_cmpint (check ("mailbox-org", "Summer 2024!", &length, &message), ==, MS_PASSWORD_OK);
  g_assert_cmpuint (length, ==, 12);
  g_assert_null (message);
  g_assert_cmpint (check (NULL, "anything", &length, &message), ==, MS_PASSWORD_OK);
  g_assert_cmpint (check (NULL, "", &length, &message), ==, MS_PASSWORD_EMPTY);
  g_assert_cmpint (check ("yahoo", "with\ttab", &length, &message), ==, MS_PASSWORD_BAD_CHARACTERS);
  g_clear_pointer (&message, g_free);
}

/* ---- detection ---- */

static MsDetection *
detect (TestResolver *resolver,
        const char   *address)
{
  g_autoptr(GError) error = NULL;
  MsDetection *detection;

  detection = ms_provider_detect_sync (address, G_RESOLVER (resolver), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (detection);
  return detection;
}

static void
test_detect_table (void)
{
  g_autoptr(TestResolver) resolver = make_resolver ();
  g_autoptr(MsDetection) detection = detect (resolver, "Someone@GMAIL.com");
  g_autofree char *described = ms_detection_describe (detection);

  g_assert_cmpstr (detection->provider->id, ==, "gmail");
  g_assert_cmpint (detection->source, ==, MS_DETECTION_SOURCE_TABLE);
  g_assert_cmpstr (detection->domain, ==, "gmail.com");
  g_assert_cmpstr (detection->host, ==, "smtp.gmail.com");
  g_assert_cmpuint (detection->port, ==, 465);
  g_assert_cmpint (detection->security, ==, MS_SECURITY_TLS);
  g_assert_cmpstr (described, ==, "Gmail (Google Account)");
  g_assert_cmpuint (resolver->queries, ==, 0);
  g_assert_cmpuint (resolver->name_lookups, ==, 0);
}

static void
test_detect_mx (void)
{
  g_autoptr(TestResolver) resolver = make_resolver ();
  g_autoptr(MsDetection) detection = detect (resolver, "me@Workspace.test");
  g_autofree char *described = ms_detection_describe (detection);

  g_assert_nonnull (detection->provider);
  g_assert_cmpstr (detection->provider->id, ==, "google-workspace");
  g_assert_cmpint (detection->source, ==, MS_DETECTION_SOURCE_MX);
  g_assert_cmpint (detection->provider_source, ==, MS_DETECTION_SOURCE_MX);
  g_assert_cmpstr (detection->host, ==, "smtp.gmail.com");
  g_assert_cmpuint (detection->port, ==, 465);
  g_assert_cmpuint (g_strv_length (detection->mx_hosts), ==, 2);
  g_assert_cmpstr (detection->mx_hosts[0], ==, "aspmx.l.google.com");
  g_assert_cmpstr (detection->mx_hosts[1], ==, "alt1.aspmx.l.google.com");
  g_assert_cmpstr (detection->label, ==, "found from the domain's mail servers");
  g_assert_cmpstr (described, ==, "Google Workspace (mail handled by Google)");
  g_assert_cmpuint (resolver->name_lookups, ==, 0);
}

static void
test_detect_srv (void)
{
  g_autoptr(TestResolver) resolver = make_resolver ();
  g_autoptr(MsDetection) detection = detect (resolver, "me@srv.test");
  g_autoptr(MsDetection) plain = detect (resolver, "me@plain.test");
  g_autoptr(MsDetection) lookalike = detect (resolver, "me@lookalike.test");
  g_autofree char *described = ms_detection_describe (detection);

  g_assert_null (detection->provider);
  g_assert_cmpint (detection->source, ==, MS_DETECTION_SOURCE_SRV);
  g_assert_cmpstr (detection->host, ==, "mail.srv.test");
  g_assert_cmpuint (detection->port, ==, 465);
  g_assert_cmpint (detection->security, ==, MS_SECURITY_TLS);
  g_assert_cmpstr (detection->mx_hosts[0], ==, "mx.srv.test");
  g_assert_cmpuint (g_strv_length (detection->srv_records), ==, 2);
  g_assert_cmpstr (described, ==, "Other provider: you will enter the server");

  g_assert_cmpint (plain->source, ==, MS_DETECTION_SOURCE_SRV);
  g_assert_cmpstr (plain->host, ==, "submit.plain.test");
  g_assert_cmpuint (plain->port, ==, 587);
  g_assert_cmpint (plain->security, ==, MS_SECURITY_STARTTLS);

  g_assert_null (lookalike->provider);
  g_assert_cmpint (lookalike->source, ==, MS_DETECTION_SOURCE_GUESS);
  g_assert_cmpuint (resolver->name_lookups, ==, 0);
}

static void
test_detect_guess (void)
{
  g_autoptr(TestResolver) resolver = make_resolver ();
  g_autoptr(MsDetection) detection = detect (resolver, "me@nothing.test");
  g_autoptr(MsDetection) sonet = detect (resolver, "me@aa2.so-net.ne.jp");
  g_autoptr(MsDetection) idn = detect (resolver, "me@bücher.test");

  g_assert_null (detection->provider);
  g_assert_cmpint (detection->source, ==, MS_DETECTION_SOURCE_GUESS);
  g_assert_cmpstr (detection->host, ==, "smtp.nothing.test");
  g_assert_cmpuint (detection->port, ==, 465);
  g_assert_cmpint (detection->security, ==, MS_SECURITY_TLS);
  g_assert_cmpuint (g_strv_length (detection->mx_hosts), ==, 0);
  g_assert_cmpstr (detection->label, ==, "a guess from the domain name: check it with your provider");
  g_assert_cmpstr (ms_detection_source_to_string (detection->source), ==, "guess");

  /* A known provider without SMTP data: the provider stays, the server is found or guessed. */
  g_assert_cmpstr (sonet->provider->id, ==, "so-net");
  g_assert_cmpint (sonet->provider_source, ==, MS_DETECTION_SOURCE_TABLE);
  g_assert_cmpint (sonet->source, ==, MS_DETECTION_SOURCE_GUESS);
  g_assert_cmpstr (sonet->host, ==, "smtp.aa2.so-net.ne.jp");
  g_assert_false (sonet->confirmed);

  g_assert_cmpstr (idn->domain, ==, "xn--bcher-kva.test");
  g_assert_cmpstr (idn->host, ==, "smtp.xn--bcher-kva.test");
  g_assert_cmpuint (resolver->name_lookups, ==, 0);
}

typedef struct
{
  const char *address;
  const char *provider;
  const char *host;
  guint16     port;
  MsSecurity  security;
  gboolean    confirmed;  /* FALSE: the wizard says "usually" */
  const char *username;
} TableCase;

/* The Japan table and the review's corrections (docs/providers.md): found
 * from the table alone, without a DNS question. */
static const TableCase table_cases[] = {
  { "taro@yahoo.co.jp", "yahoo-japan", "smtp.mail.yahoo.co.jp", 465, MS_SECURITY_TLS, FALSE,
    "taro@yahoo.co.jp" },
  { "taro@ybb.ne.jp", "yahoo-bb", "ybbsmtp.mail.yahoo.co.jp", 465, MS_SECURITY_TLS, FALSE, "taro" },
  { "taro@ocn.ne.jp", "ocn", "smtp.ocn.ne.jp", 465, MS_SECURITY_TLS, TRUE, "taro@ocn.ne.jp" },
  { "taro@kiwi.ocn.ne.jp", "ocn", "smtp.ocn.ne.jp", 465, MS_SECURITY_TLS, TRUE,
    "taro@kiwi.ocn.ne.jp" },
  { "taro@biglobe.ne.jp", "biglobe", "mail.biglobe.ne.jp", 465, MS_SECURITY_TLS, FALSE,
    "taro@biglobe.ne.jp" },
  { "taro@nifty.com", "nifty", "smtp.nifty.com", 465, MS_SECURITY_TLS, FALSE, "taro@nifty.com" },
  { "taro@ab.auone-net.jp", "au-one-net", "msa.ab.auone-net.jp", 465, MS_SECURITY_TLS, TRUE,
    "taro@ab.auone-net.jp" },
  { "taro@d1.dion.ne.jp", "au-one-net", "msa.d1.dion.ne.jp", 465, MS_SECURITY_TLS, TRUE,
    "taro@d1.dion.ne.jp" },
  { "hanako@docomo.ne.jp", "docomo", "smtp.spmode.ne.jp", 465, MS_SECURITY_TLS, FALSE,
    "hanako@docomo.ne.jp" },
  { "hanako@i.softbank.jp", "softbank", "smtp.softbank.jp", 465, MS_SECURITY_TLS, FALSE, "hanako" },
  { "me@outlook.jp", "outlook", "smtp-mail.outlook.com", 587, MS_SECURITY_STARTTLS, TRUE,
    "me@outlook.jp" },
  { "me@hotmail.co.jp", "outlook", "smtp-mail.outlook.com", 587, MS_SECURITY_STARTTLS, TRUE,
    "me@hotmail.co.jp" },
  { "me@live.jp", "outlook", "smtp-mail.outlook.com", 587, MS_SECURITY_STARTTLS, TRUE, "me@live.jp" },
  { "me@live.co.jp", "outlook", "smtp-mail.outlook.com", 587, MS_SECURITY_STARTTLS, TRUE,
    "me@live.co.jp" },
  { "me@aol.com", "aol", "smtp.aol.com", 465, MS_SECURITY_TLS, FALSE, "me@aol.com" },
  { "me@gmx.com", "gmx", "mail.gmx.net", 587, MS_SECURITY_STARTTLS, TRUE, "me@gmx.com" },
  { "me@zohomail.com", "zoho", "smtp.zoho.com", 465, MS_SECURITY_TLS, TRUE, "me@zohomail.com" },
};

static void
test_detect_japan_table (void)
{
  g_autoptr(TestResolver) resolver = make_resolver ();

  for (guint i = 0; i < G_N_ELEMENTS (table_cases); i++)
    {
      const TableCase *c = &table_cases[i];
      g_autoptr(MsDetection) found = detect (resolver, c->address);
      g_autofree char *username = NULL;

      g_test_message ("%s: %s %s %u %s", c->address,
                      found->provider != NULL ? found->provider->id : "-", found->host,
                      found->port, ms_detection_source_to_string (found->source));
      g_assert_nonnull (found->provider);
      g_assert_cmpstr (found->provider->id, ==, c->provider);
      g_assert_cmpint (found->provider_source, ==, MS_DETECTION_SOURCE_TABLE);
      g_assert_cmpint (found->source, ==, MS_DETECTION_SOURCE_TABLE);
      g_assert_cmpstr (found->host, ==, c->host);
      g_assert_cmpuint (found->port, ==, c->port);
      g_assert_cmpint (found->security, ==, c->security);
      g_assert_cmpint (found->confirmed, ==, c->confirmed);
      if (!c->confirmed)
        g_assert_nonnull (strstr (found->label, "usually"));
      username = ms_provider_get_username (found->provider, c->address);
      g_assert_cmpstr (username, ==, c->username);
    }
  /* Nothing was asked of DNS: every one came from the table. */
  g_assert_cmpuint (resolver->queries, ==, 0);
  g_assert_cmpuint (resolver->name_lookups, ==, 0);
}

/* Providers known from the domain's MX hosts: Zoho by data centre, a
 * hosting service's own server, Microsoft 365. */
static void
test_detect_mx_templates (void)
{
  g_autoptr(TestResolver) resolver = make_resolver ();
  g_autoptr(MsDetection) zoho = detect (resolver, "me@zoho-eu.test");
  g_autoptr(MsDetection) hosted = detect (resolver, "me@hosted.test");
  g_autoptr(MsDetection) m365 = detect (resolver, "me@contoso.test");
  g_autofree char *literal = NULL;

  g_assert_cmpstr (zoho->provider->id, ==, "zoho-organisation");
  g_assert_cmpstr (zoho->host, ==, "smtppro.zoho.eu");
  g_assert_cmpint (zoho->source, ==, MS_DETECTION_SOURCE_MX);
  g_assert_cmpstr (hosted->provider->id, ==, "xserver");
  g_assert_cmpstr (hosted->host, ==, "sv1234.xserver.jp");
  g_assert_cmpuint (hosted->port, ==, 465);
  g_assert_false (hosted->confirmed);
  g_assert_cmpstr (m365->provider->id, ==, "microsoft-365");
  g_assert_cmpstr (m365->host, ==, "smtp.office365.com");
  g_assert_cmpuint (m365->port, ==, 587);

  /* A template that needs an MX host is not used without one. */
  g_assert_null (ms_provider_expand_host ("{mx}", "example.org", NULL, NULL));
  literal = ms_provider_expand_host ("msa.{domain}", "ab.auone-net.jp", NULL, NULL);
  g_assert_cmpstr (literal, ==, "msa.ab.auone-net.jp");
}

static void
test_detect_invalid (void)
{
  const char *bad[] = { "no-at-sign", "@example.org", "me@", "me@exa mple.org", "me@a..b",
                        "me@example.org\r\nRCPT TO:<x>", "me@-bad.org" };
  g_autoptr(TestResolver) resolver = make_resolver ();

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsDetection) detection = ms_provider_detect_sync (bad[i], G_RESOLVER (resolver),
                                                                  NULL, &error);

      g_assert_null (detection);
      g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
    }
  g_assert_cmpuint (resolver->queries, ==, 0);
}

static void
test_detect_cancelled (void)
{
  g_autoptr(TestResolver) resolver = make_resolver ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MsDetection) detection = NULL;

  g_cancellable_cancel (cancellable);
  detection = ms_provider_detect_sync ("me@workspace.test", G_RESOLVER (resolver), cancellable,
                                       &error);
  g_assert_null (detection);
  g_assert_error (error, MS_ERROR, MS_ERROR_CANCELLED);
}

static void
on_detected (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  MsDetection **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ms_provider_detect_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_detect_async (void)
{
  g_autoptr(TestResolver) resolver = make_resolver ();
  g_autoptr(MsDetection) detection = NULL;
  g_autoptr(MsDetection) copy = NULL;

  ms_provider_detect_async ("me@workspace.test", G_RESOLVER (resolver), NULL, on_detected,
                            &detection);
  while (detection == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (detection->provider->id, ==, "google-workspace");
  copy = ms_detection_copy (detection);
  g_assert_cmpstr (copy->label, ==, detection->label);
  g_assert_cmpstr (copy->mx_hosts[0], ==, "aspmx.l.google.com");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/provider/data-valid", test_data_valid);
  g_test_add_func ("/ms/provider/online-accounts", test_online_accounts);
  g_test_add_func ("/ms/provider/data-complete", test_data_complete);
  g_test_add_func ("/ms/provider/data-invalid", test_data_invalid);
  g_test_add_func ("/ms/provider/strings-translatable", test_strings_translatable);
  g_test_add_func ("/ms/provider/lookup", test_lookup);
  g_test_add_func ("/ms/provider/password-gmail", test_password_gmail);
  g_test_add_func ("/ms/provider/password-other", test_password_other);
  g_test_add_func ("/ms/provider/detect-table", test_detect_table);
  g_test_add_func ("/ms/provider/detect-mx", test_detect_mx);
  g_test_add_func ("/ms/provider/detect-srv", test_detect_srv);
  g_test_add_func ("/ms/provider/detect-guess", test_detect_guess);
  g_test_add_func ("/ms/provider/detect-japan-table", test_detect_japan_table);
  g_test_add_func ("/ms/provider/detect-mx-templates", test_detect_mx_templates);
  g_test_add_func ("/ms/provider/detect-invalid", test_detect_invalid);
  g_test_add_func ("/ms/provider/detect-cancelled", test_detect_cancelled);
  g_test_add_func ("/ms/provider/detect-async", test_detect_async);

  return g_test_run ();
}
