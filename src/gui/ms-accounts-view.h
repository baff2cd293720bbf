/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MS_TYPE_ACCOUNTS_VIEW (ms_accounts_view_get_type ())

G_DECLARE_FINAL_TYPE (MsAccountsView, ms_accounts_view, MS, ACCOUNTS_VIEW, AdwBin)

guint      ms_accounts_view_reload         (MsAccountsView *self);
void       ms_accounts_view_cancel         (MsAccountsView *self);
guint      ms_accounts_view_get_n_accounts (MsAccountsView *self);
GtkWidget *ms_accounts_view_get_account_page     (MsAccountsView *self);
GtkWidget *ms_accounts_view_get_diagnostics_page (MsAccountsView *self);

G_END_DECLS
