/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-validate"

#include "config.h"

#include <string.h>

#include "ms-error.h"
#include "ms-validate.h"

static void
assert_invalid (gboolean    ok,
                GError    **errorp,
                const char *field,
                const char *what)
{
  GError *error = *errorp;

  if (ok)
    g_error ("accepted but should not: \"%s\"", what);
  g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
  if (field != NULL && strstr (error->message, field) == NULL)
    g_error ("message \"%s\" does not name \"%s\"", error->message, field);
}

/* V1 */
static void
test_no_control (void)
{
  static const char *bad[] = { "a\rb", "a\nb", "a\r\nRCPT TO:<x@y>", "tab\there", "\x1b[31m",
                               "del\x7f", "c1\xc2\x85", "bad utf8 \xff" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      assert_invalid (ms_validate_no_control ("Subject", bad[i], &error), &error, "Subject", bad[i]);
    }

  g_assert_true (ms_validate_no_control ("Subject", "", NULL));
  g_assert_true (ms_validate_no_control ("Subject", "日本語 and ASCII", NULL));
  g_assert_false (ms_validate_no_control ("Subject", NULL, NULL));
}

static char *
repeat (char  c,
        guint n)
{
  char *s = g_malloc (n + 1);

  memset (s, c, n);
  s[n] = '\0';

  return s;
}

/* V1, V2 */
static void
test_address (void)
{
  g_autofree char *local64 = repeat ('a', 64);
  g_autofree char *local65 = repeat ('a', 65);
  g_autofree char *ok64 = g_strconcat (local64, "@example.com", NULL);
  g_autofree char *bad65 = g_strconcat (local65, "@example.com", NULL);
  g_autofree char *label = repeat ('b', 63);
  g_autofree char *domain_long = g_strjoin (".", label, label, label, label, "com", NULL);
  g_autofree char *bad_domain = g_strconcat ("a@", domain_long, NULL);
  static const char *good[] = {
    "me@gmail.com", "first.last+tag@example.co.uk", "x@localhost", "o'brien@example.com",
    "user@EXAMPLE.COM", "user@example.com.", "δοκιμή@παράδειγμα.δοκιμή", "a!#$%&*/=?^_`{|}~-@x.org",
    "ユーザー@例え.jp",
  };
  static const char *bad[] = {
    "", "plain", "@example.com", "me@", "me@@example.com", "me example@x.com", "<me@x.com>",
    "me@x.com>", "Me <me@x.com>", "me@x.com\r\nRCPT TO:<evil@x.com>", "me@x.com\n",
    "\"quoted\"@example.com", "\"a b\"@x.com", ".me@x.com", "me.@x.com", "m..e@x.com",
    "me@[127.0.0.1]", "me@127.0.0.1", "me@-bad.com", "me@bad-.com", "me@exa_mple.com",
    "me@x..com", "me@.x.com", "me(comment)@x.com", "me,you@x.com", "me@x.com,you@y.com",
    "me@1.2.3.999", "me@x.com\x7f", "me\t@x.com", "me;@x.com",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      if (!ms_validate_address ("Email address", good[i], &error))
        g_error ("refused \"%s\": %s", good[i], error->message);
    }

  g_assert_true (ms_validate_address ("Email address", ok64, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      assert_invalid (ms_validate_address ("Email address", bad[i], &error), &error,
                      "Email address", bad[i]);
    }

  {
    g_autoptr(GError) error = NULL;

    assert_invalid (ms_validate_address ("Email address", bad65, &error), &error, "64", bad65);
  }
  {
    g_autoptr(GError) error = NULL;

    /* 4 * 63 + 3 + 4 = 259 octets of domain */
    assert_invalid (ms_validate_address ("Email address", bad_domain, &error), &error,
                    "Email address", bad_domain);
  }
}

static void
test_address_helpers (void)
{
  g_autofree char *domain = ms_address_get_domain ("me@Example.com");
  g_autofree char *last = ms_address_get_domain ("a@b@c.org");

  g_assert_cmpstr (domain, ==, "Example.com");
  g_assert_cmpstr (last, ==, "c.org");
  g_assert_null (ms_address_get_domain ("none"));
  g_assert_null (ms_address_get_domain ("me@"));

  g_assert_true (ms_address_is_ascii ("me@example.com"));
  g_assert_false (ms_address_is_ascii ("ユーザー@example.com"));
  g_assert_false (ms_address_is_ascii ("me@例え.jp"));
}

static void
assert_host (const char *input,
             const char *expected,
             gboolean    literal)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  gboolean is_literal = !literal;

  host = ms_validate_host ("Server", input, &is_literal, &error);
  if (host == NULL)
    g_error ("refused \"%s\": %s", input, error->message);
  g_assert_cmpstr (host, ==, expected);
  g_assert_cmpint (is_literal, ==, literal);
}

/* V4 */
static void
test_host (void)
{
  g_autofree char *label63 = repeat ('a', 63);
  g_autofree char *label64 = repeat ('a', 64);
  g_autofree char *name63 = g_strconcat (label63, ".com", NULL);
  g_autofree char *name64 = g_strconcat (label64, ".com", NULL);
  g_autofree char *label61 = repeat ('c', 61);
  g_autofree char *name253 = g_strjoin (".", label63, label63, label63, label61, NULL);
  g_autofree char *name255 = g_strjoin (".", label63, label63, label63, label63, NULL);
  static const char *bad[] = {
    "", " ", "smtp example.com", "smtp.example.com\r\n", "smtp..example.com", ".example.com",
    "-smtp.example.com", "smtp-.example.com", "smtp_x.example.com", "[::1", "::1]", "[]",
    "[127.0.0.1]", "[::1]:25", "::g", "1.2.3.4.5", "1.2.3", "127.1", "999.1.1.1", "example.123",
    "smtp.example.com:587", "smtp/x", "..", ".", "http://smtp.example.com",
  };

  assert_host ("smtp.gmail.com", "smtp.gmail.com", FALSE);
  assert_host ("SMTP.Gmail.COM", "smtp.gmail.com", FALSE);
  assert_host ("smtp.gmail.com.", "smtp.gmail.com", FALSE);
  assert_host ("localhost", "localhost", FALSE);
  assert_host ("127.0.0.1", "127.0.0.1", TRUE);
  assert_host ("::1", "::1", TRUE);
  assert_host ("[::1]", "::1", TRUE);
  assert_host ("[2001:DB8:0:0::1]", "2001:db8::1", TRUE);
  assert_host ("bücher.example", "xn--bcher-kva.example", FALSE);
  assert_host ("BÜCHER.example.", "xn--bcher-kva.example", FALSE);
  assert_host ("例え.テスト", "xn--r8jz45g.xn--zckzah", FALSE);
  assert_host ("xn--bcher-kva.example", "xn--bcher-kva.example", FALSE);
  assert_host (name63, name63, FALSE);
  assert_host (name253, name253, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *host = ms_validate_host ("Server", bad[i], NULL, &error);

      assert_invalid (host != NULL, &error, "Server", bad[i]);
    }

  for (const char *const *p = (const char *const[]) { "smtp.gmail.com:587", "[::1]:25", NULL };
       *p != NULL; p++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *host = ms_validate_host ("Server", *p, NULL, &error);

      assert_invalid (host != NULL, &error, "port", *p);
    }

  for (const char *const *p = (const char *const[]) { name64, name255, NULL }; *p != NULL; p++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *host = ms_validate_host ("Server", *p, NULL, &error);

      assert_invalid (host != NULL, &error, "Server", *p);
    }
}

/* V3 */
static void
test_port (void)
{
  static const char *bad[] = { "0", "65536", "abc", "", "-1", "+25", " 25", "25 ", "0x19",
                               "99999999999", "1e3", "25.0", "000000025" };
  static const struct { const char *text; guint16 port; } good[] = {
    { "1", 1 }, { "25", 25 }, { "465", 465 }, { "587", 587 }, { "65535", 65535 }, { "0587", 587 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      guint16 port = 0;

      g_assert_true (ms_validate_port ("Port", good[i].text, &port, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (port, ==, good[i].port);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint16 port = 42;

      assert_invalid (ms_validate_port ("Port", bad[i], &port, &error), &error, "Port", bad[i]);
      g_assert_cmpuint (port, ==, 42);
    }

  g_assert_false (ms_validate_port ("Port", NULL, NULL, NULL));
}

static void
test_account_id (void)
{
  g_autofree char *id64 = repeat ('a', 64);
  g_autofree char *id65 = repeat ('a', 65);
  static const char *good[] = { "backup", "a", "0", "my.account_1-x", "9lives" };
  static const char *bad[] = { "", "Backup", "-x", ".x", "_x", "a b", "a/b", "ä", "a\nb",
                               "a[b]", "a=b", "../etc" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (ms_validate_account_id (good[i], NULL));
  g_assert_true (ms_validate_account_id (id64, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      assert_invalid (ms_validate_account_id (bad[i], &error), &error, NULL, bad[i]);
    }
  g_assert_false (ms_validate_account_id (id65, NULL));
  g_assert_false (ms_validate_account_id (NULL, NULL));
}

static void
test_pin (void)
{
  static const char *bad[] = {
    "", "sha256//", "cB1F7wlz7hszpCtAsb3cBYsXW2KxeRZLzPOZz/ZUp1k=",
    "sha1//cB1F7wlz7hszpCtAsb3cBYsXW2KxeRZLzPOZz/ZUp1k=",
    "sha256//cB1F7wlz7hszpCtAsb3cBYsXW2KxeRZLzPOZz/ZUp1k",
    "sha256//cB1F7wlz7hszpCtAsb3cBYsXW2KxeRZLzPOZz/ZUp1k==",
    "sha256//cB1F7wlz7hszpCtAsb3cBYsXW2KxeRZLzPOZz/ZUp1!=",
    "sha256//cB1F7wlz7hszpCtAsb3cBYsXW2KxeRZLzPOZz/ZUp1k= ",
    "SHA256//cB1F7wlz7hszpCtAsb3cBYsXW2KxeRZLzPOZz/ZUp1k=",
    "sha256//cB1F7wlz7hszpCtAsb3cBYsXW2KxeRZLzPOZz/ZUp1k=\n",
  };

  g_assert_true (ms_validate_pin ("sha256//cB1F7wlz7hszpCtAsb3cBYsXW2KxeRZLzPOZz/ZUp1k=", NULL));
  g_assert_true (ms_validate_pin ("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      assert_invalid (ms_validate_pin (bad[i], &error), &error, NULL, bad[i]);
    }
  g_assert_false (ms_validate_pin (NULL, NULL));
}

static void
test_display_name (void)
{
  g_autofree char *two_hundred = NULL;
  g_autofree char *too_long = repeat ('x', 201);
  GString *kana = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 200; i++)
    g_string_append (kana, "あ");
  two_hundred = g_string_free (kana, FALSE);

  g_assert_true (ms_validate_display_name ("", NULL));
  g_assert_true (ms_validate_display_name ("Backup notifications", NULL));
  g_assert_true (ms_validate_display_name ("\"Doe, John\" <x>", NULL));
  g_assert_true (ms_validate_display_name (two_hundred, NULL));
  g_assert_false (ms_validate_display_name (too_long, NULL));
  g_assert_false (ms_validate_display_name ("a\rb", NULL));
  g_assert_false (ms_validate_display_name ("a\nBcc: x@y", NULL));
  assert_invalid (ms_validate_display_name ("a\nBcc: x@y", &error), &error, NULL, "LF");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/validate/no-control", test_no_control);
  g_test_add_func ("/ms/validate/address", test_address);
  g_test_add_func ("/ms/validate/address-helpers", test_address_helpers);
  g_test_add_func ("/ms/validate/host", test_host);
  g_test_add_func ("/ms/validate/port", test_port);
  g_test_add_func ("/ms/validate/account-id", test_account_id);
  g_test_add_func ("/ms/validate/pin", test_pin);
  g_test_add_func ("/ms/validate/display-name", test_display_name);

  return g_test_run ();
}
