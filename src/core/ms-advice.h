/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ms-result.h"

G_BEGIN_DECLS

/*
 * Turning what went wrong into words and a fix: provider replies (Gmail's
 * table in docs/providers.md) and generic SMTP codes into contract codes, and
 * every contract code into a message, advice and an action URL in the
 * user's language.
 */

/* The contract code for a final SMTP reply that failed at @step. @enhanced
 * is the enhanced status code ("5.7.9") or NULL; @text the reply text. */
MsErrorCode ms_advice_classify_reply (MsStepKind   step,
                                      guint        code,
                                      const char  *enhanced,
                                      const char  *text);

/* Fills result->error's message (when unset), advice and action_url from
 * its code, step, server reply and the provider (nullable; "gmail" ...). */
void        ms_advice_fill           (MsResult    *result,
                                      const char  *provider_id);

/* What to do after a failed connection to port 25 (OP25B), or NULL. */
const char *ms_advice_port_25_hint   (guint16      port);

G_END_DECLS
