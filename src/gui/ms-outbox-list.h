/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MS_TYPE_OUTBOX_LIST (ms_outbox_list_get_type ())

G_DECLARE_FINAL_TYPE (MsOutboxList, ms_outbox_list, MS, OUTBOX_LIST, AdwBin)

void   ms_outbox_list_refresh    (MsOutboxList *self);
guint  ms_outbox_list_count_for  (MsOutboxList *self,
                                  const char   *account_id);
guint  ms_outbox_list_get_n_messages (MsOutboxList *self);

G_END_DECLS
