#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest: it parses, and its app id and command match the
build; it asks for no more than the app needs (no D-Bus name of the keyring:
libsecret goes through the Secret portal inside the sandbox)."""

import json
import sys

ALLOWED_FINISH_ARGS = {
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
    # GNOME Online Accounts, for accounts that sign in with OAuth2 (libgoa).
    "--talk-name=org.gnome.OnlineAccounts",
}
SUPPORTED_GNOME_RUNTIMES = {"49", "50", "51"}


def main(path, app_id, command):
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)

    problems = []

    def expect(condition, message):
        if not condition:
            problems.append(message)

    manifest_id = manifest.get("id", manifest.get("app-id"))
    expect(manifest_id == app_id, f"id is {manifest_id!r}, the build's app id is {app_id!r}")
    expect(manifest.get("command") == command,
           f"command is {manifest.get('command')!r}, the build installs {command!r}")
    expect(manifest.get("runtime") == "org.gnome.Platform", "runtime is not org.gnome.Platform")
    expect(manifest.get("sdk") == "org.gnome.Sdk", "sdk is not org.gnome.Sdk")
    expect(str(manifest.get("runtime-version")) in SUPPORTED_GNOME_RUNTIMES,
           f"runtime-version {manifest.get('runtime-version')!r} is not a supported GNOME release")

    finish_args = manifest.get("finish-args", [])
    expect(set(finish_args) == ALLOWED_FINISH_ARGS,
           f"finish-args are {sorted(finish_args)}, expected exactly {sorted(ALLOWED_FINISH_ARGS)}")
    expect(not any("org.freedesktop.secrets" in a for a in finish_args),
           "finish-args name org.freedesktop.secrets: use the Secret portal")

    modules = manifest.get("modules", [])
    expect(len(modules) > 0 and isinstance(modules[-1], dict), "no app module")
    if modules and isinstance(modules[-1], dict):
        app = modules[-1]
        expect(app.get("name") == "mailsetup", "the last module is not mailsetup")
        expect(app.get("buildsystem") == "meson", "the app module does not use meson")
        expect(app.get("run-tests") is True, "the app module does not run the tests")
        sources = app.get("sources", [])
        expect(any(s.get("type") == "dir" for s in sources),
               "the app is not built from the source folder")
        opts = app.get("config-opts", [])
        expect("-Dprofile=development" not in opts or app_id.endswith(".Devel"),
               "the development profile needs a .Devel app id")

    for problem in problems:
        print(f"not ok: {path}: {problem}")
    if not problems:
        print(f"ok: {path}: {app_id}, command {command}, {len(finish_args)} finish-args")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: check-flatpak-manifest.py MANIFEST APP_ID COMMAND")
    sys.exit(main(*sys.argv[1:]))
