#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when a translatable string in the sources has no translation in
# po/LANG.po, or only a fuzzy one. It extracts the strings afresh from the files
# in po/POTFILES.in (with the same keywords as meson's glib preset) and merges
# LANG.po with them in a temporary folder, so it sees strings added since
# LANG.po was last merged. Files the build writes (src/core/providers.json.i18n)
# are found in BUILDDIR, and read with the ITS rules in po/its/.
#
#   tests/check-translations.sh SRCDIR LANG BUILDDIR
set -euo pipefail

srcdir="${1:?usage: check-translations.sh SRCDIR LANG}"
lang="${2:?usage: check-translations.sh SRCDIR LANG BUILDDIR}"
builddir="${3:?usage: check-translations.sh SRCDIR LANG BUILDDIR}"
po="$srcdir/po/$lang.po"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$srcdir"
[ -f "$po" ] || { echo "not ok: $po does not exist"; exit 1; }

GETTEXTDATADIRS="$srcdir/po" \
xgettext --files-from=po/POTFILES.in --directory=. --directory="$builddir" \
  --from-code=UTF-8 --add-comments \
  --package-name=mailsetup \
  --msgid-bugs-address=https://github.com/mailsetup/mailsetup/issues \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_print:1:c-format \
  --flag=g_printerr:1:c-format --flag=g_fprintf:2:c-format \
  --output="$tmp/mailsetup.pot"

msgfmt --check --output-file=/dev/null "$po"
msgmerge --quiet --previous --output-file="$tmp/$lang.po" "$po" "$tmp/mailsetup.pot"
msgfmt --check --output-file=/dev/null "$tmp/$lang.po"

total="$(msgattrib --no-obsolete "$tmp/$lang.po" | grep -c '^msgid ' || true)"
msgattrib --untranslated --no-obsolete "$tmp/$lang.po" > "$tmp/untranslated.po"
msgattrib --only-fuzzy --no-obsolete "$tmp/$lang.po" > "$tmp/fuzzy.po"

count ()
{
  # Entries in a PO file, not counting the header.
  msgattrib --no-obsolete "$1" | grep '^msgid ' | grep -vc '^msgid ""$' || true
}

status=0
if [ -s "$tmp/untranslated.po" ]; then
  echo "Strings without a translation in po/$lang.po:"
  cat "$tmp/untranslated.po"
  status=1
fi
if [ -s "$tmp/fuzzy.po" ]; then
  echo "Fuzzy (unchecked) translations in po/$lang.po:"
  cat "$tmp/fuzzy.po"
  status=1
fi
stats="$(LC_ALL=C msgfmt --statistics --output-file=/dev/null "$tmp/$lang.po" 2>&1)"
if [ "$status" -ne 0 ]; then
  echo "$stats"
  echo "To fix: 'meson compile -C _build mailsetup-update-po' merges the new strings into"
  echo "po/$lang.po; translate them there and delete the fuzzy flags (see CONTRIBUTING.md)."
  exit 1
fi
echo "po/$lang.po is complete: $stats ($((total - 1)) strings)"
