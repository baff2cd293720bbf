/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-result"

#include "config.h"

#include <string.h>

#include "ms-error.h"
#include "ms-result.h"

static void
test_error_codes (void)
{
  MsErrorCode code;

  g_assert_cmpstr (ms_error_code_to_string (MS_ERROR_APP_PASSWORD_REQUIRED), ==,
                   "app-password-required");
  g_assert_cmpint (ms_error_code_exit_status (MS_ERROR_USAGE), ==, 64);
  g_assert_cmpint (ms_error_code_exit_status (MS_ERROR_INVALID_INPUT), ==, 65);
  g_assert_cmpint (ms_error_code_exit_status (MS_ERROR_CONNECTION_LOST), ==, 74);
  g_assert_cmpint (ms_error_code_exit_status (MS_ERROR_DELIVERY_UNKNOWN), ==, 75);
  g_assert_cmpstr (ms_error_code_to_string (MS_ERROR_DELIVERY_UNKNOWN), ==, "delivery-unknown");
  g_assert_cmpint (ms_error_code_exit_status (MS_ERROR_RECIPIENT_REJECTED), ==, 65);
  g_assert_cmpstr (ms_error_code_to_string (MS_ERROR_RECIPIENT_REJECTED), ==,
                   "recipient-rejected");
  g_assert_cmpint (ms_error_code_exit_status (MS_ERROR_QUOTA_EXCEEDED), ==, 75);
  g_assert_cmpint (ms_error_code_exit_status (MS_ERROR_PIN_MISMATCH), ==, 76);
  g_assert_cmpint (ms_error_code_exit_status (MS_ERROR_AUTH_FAILED), ==, 77);
  g_assert_cmpint (ms_error_code_exit_status (MS_ERROR_SECRET_MISSING), ==, 78);

  for (guint i = 0; i < MS_ERROR_N_CODES; i++)
    {
      g_assert_true (ms_error_code_from_string (ms_error_code_to_string (i), &code));
      g_assert_cmpint (code, ==, i);
    }
  g_assert_false (ms_error_code_from_string ("no-such-code", &code));
}

static void
test_json_shape (void)
{
  g_autoptr(MsResult) result = ms_result_new ("test-send");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  const char *addresses[] = { "127.0.0.1", "::1", NULL };
  MsResultError *failure;
  MsStep *step;
  JsonObject *root, *error_object;
  JsonArray *steps;

  result->host = g_strdup ("smtp.example.com");
  result->port = 465;
  step = ms_result_add_step (result, MS_STEP_RESOLVE, TRUE, 4);
  step->addresses = g_strdupv ((char **) addresses);
  step = ms_result_add_step (result, MS_STEP_AUTH, FALSE, 25);
  step->reply = g_strdup ("535 5.7.8 no");
  failure = ms_result_set_error (result, MS_ERROR_AUTH_FAILED, MS_STEP_AUTH, "Refused");
  failure->has_suggestion = TRUE;
  failure->suggestion_port = 587;
  failure->suggestion_security = MS_SECURITY_STARTTLS;

  json = ms_result_to_json (result, FALSE);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_false (json_object_get_boolean_member (root, "ok"));
  g_assert_cmpstr (json_object_get_string_member (root, "command"), ==, "test-send");
  g_assert_cmpstr (json_object_get_string_member (root, "security"), ==, "tls");
  g_assert_true (json_object_get_null_member (root, "tls"));
  steps = json_object_get_array_member (root, "steps");
  g_assert_cmpuint (json_array_get_length (steps), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (steps, 0), "step"),
                   ==, "resolve");
  error_object = json_object_get_object_member (root, "error");
  g_assert_cmpstr (json_object_get_string_member (error_object, "code"), ==, "auth-failed");
  g_assert_cmpstr (json_object_get_string_member (error_object, "step"), ==, "auth");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (error_object,
                                                                              "suggestion"),
                                               "port"), ==, 587);
  g_assert_cmpint (ms_result_exit_status (result), ==, 77);
}

static void
test_json_recipients (void)
{
  g_autoptr(MsResult) result = ms_result_new ("send");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  MsResultError *failure;
  JsonObject *root, *error_object, *first, *second;
  JsonArray *recipients;

  failure = ms_result_set_error (result, MS_ERROR_RECIPIENT_REJECTED, MS_STEP_RCPT, "Refused");
  ms_result_error_add_recipient (failure, "a@example.com", "550 5.1.1 no such user");
  ms_result_error_add_recipient (failure, "b@example.com", NULL);

  json = ms_result_to_json (result, FALSE);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  error_object = json_object_get_object_member (root, "error");
  g_assert_cmpstr (json_object_get_string_member (error_object, "code"), ==,
                   "recipient-rejected");
  recipients = json_object_get_array_member (error_object, "recipients");
  g_assert_cmpuint (json_array_get_length (recipients), ==, 2);
  first = json_array_get_object_element (recipients, 0);
  second = json_array_get_object_element (recipients, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "address"), ==, "a@example.com");
  g_assert_cmpstr (json_object_get_string_member (first, "reply"), ==, "550 5.1.1 no such user");
  g_assert_cmpstr (json_object_get_string_member (second, "address"), ==, "b@example.com");
  g_assert_true (json_object_get_null_member (second, "reply"));
  g_assert_cmpint (ms_result_exit_status (result), ==, 65);

  /* Without refused recipients the member is absent, as "suggestion" is when unset. */
  ms_result_set_error (result, MS_ERROR_AUTH_FAILED, MS_STEP_AUTH, "Refused");
  g_clear_pointer (&json, g_free);
  json = ms_result_to_json (result, FALSE);
  g_assert_null (strstr (json, "\"recipients\""));
}

static void
test_escape_server_text (void)
{
  g_autofree char *plain = ms_escape_server_text ("250 ok\r\n", -1);
  g_autofree char *multi = ms_escape_server_text ("250-a\r\n250 b\r\n", -1);
  g_autofree char *control = ms_escape_server_text ("550 \x1b[31mred\x07", -1);
  g_autofree char *invalid = ms_escape_server_text ("550 \xff\xfe", -1);
  g_autofree char *bidi = ms_escape_server_text ("550 \u202eevil", -1);
  g_autofree char *big_input = g_strnfill (100000, 'a');
  g_autofree char *big = ms_escape_server_text (big_input, -1);

  g_assert_cmpstr (plain, ==, "250 ok");
  g_assert_cmpstr (multi, ==, "250-a | 250 b");
  g_assert_cmpstr (control, ==, "550 \\x1b[31mred\\x07");
  g_assert_cmpstr (invalid, ==, "550 \\xff\\xfe");
  g_assert_cmpstr (bidi, ==, "550 \\u202eevil");
  g_assert_cmpuint (strlen (big), <, 1100);
  g_assert_true (g_str_has_suffix (big, "…"));
}

static void
test_checks_json (void)
{
  g_autoptr(MsResult) result = ms_result_new ("diagnose");
  g_autofree char *json = NULL;

  ms_result_add_check (result, "certificate", MS_CHECK_WARNING, FALSE, "Certificate",
                       "Expires in 3 days");
  json = ms_result_to_json (result, FALSE);
  g_assert_nonnull (strstr (json, "\"checks\":[{\"check\":\"certificate\",\"ok\":false,"
                                  "\"severity\":\"warning\""));
  g_assert_true (ms_result_is_ok (result));
  g_assert_cmpint (ms_result_exit_status (result), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/result/error-codes", test_error_codes);
  g_test_add_func ("/ms/result/json-shape", test_json_shape);
  g_test_add_func ("/ms/result/json-recipients", test_json_recipients);
  g_test_add_func ("/ms/result/escape-server-text", test_escape_server_text);
  g_test_add_func ("/ms/result/checks-json", test_checks_json);

  return g_test_run ();
}
