#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for GNOME Online Accounts on the tests' private session bus.

It owns org.gnome.OnlineAccounts and serves what libgoa reads: the object
manager at /org/gnome/OnlineAccounts, and per account the interfaces
org.gnome.OnlineAccounts.Account (EnsureCredentials), .Mail and .OAuth2Based
(GetAccessToken), with their properties in GetManagedObjects.

    goa-stand-in.py STATE.json CALLS.log

STATE.json: {"accounts": [{"id", "provider", "address", "smtp_host",
"smtp_use_ssl", "smtp_use_tls", "oauth2", "mail_disabled",
"attention_needed", "tokens": [...], "revoked"}]}. GetAccessToken hands out
the current token; EnsureCredentials moves to the next one, or, for a
revoked grant, sets AttentionNeeded and fails with NotAuthorized, as GOA
does. Each call is appended to CALLS.log as "METHOD ID" (never a token).

Tests change an account's Mail properties as a user would in Settings:
io.github.mailsetup.GoaStandIn.SetMailProperty(ID, NAME, VALUE) on the
manager's path sets Mail's NAME (SmtpHost, SmtpUseSsl, SmtpUseTls,
SmtpUserName, ...) and emits PropertiesChanged, as GOA does; and
SetTokenDelay(ID, SECONDS) makes GetAccessToken answer that much later, so
a test can look at the process that waits for a token; AddAccount(JSON)
adds an account (one entry of STATE's "accounts") and emits
InterfacesAdded, as GOA does when one is added in Settings.
"""

import json
import sys
import time

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

BUS_NAME = "org.gnome.OnlineAccounts"
ROOT = "/org/gnome/OnlineAccounts"
ACCOUNT = "org.gnome.OnlineAccounts.Account"
MAIL = "org.gnome.OnlineAccounts.Mail"
OAUTH2 = "org.gnome.OnlineAccounts.OAuth2Based"
PROPERTIES = "org.freedesktop.DBus.Properties"
STAND_IN = "io.github.mailsetup.GoaStandIn"


class NotAuthorized(dbus.DBusException):
    _dbus_error_name = "org.gnome.OnlineAccounts.Error.NotAuthorized"


def log_call(method, account_id):
    with open(sys.argv[2], "a", encoding="utf-8") as log:
        log.write(f"{method} {account_id}\n")


class Account(dbus.service.Object):
    def __init__(self, bus, path, state):
        super().__init__(bus, path)
        self.path = path
        self.state = state
        self.index = 0
        self.mail_changes = {}

    def interfaces(self):
        s = self.state
        result = {
            ACCOUNT: {
                "ProviderType": dbus.String(s.get("provider", "google")),
                "ProviderName": dbus.String(s.get("provider", "google").title()),
                "ProviderIcon": dbus.String(""),
                "Id": dbus.String(s["id"]),
                "IsLocked": dbus.Boolean(False),
                "IsTemporary": dbus.Boolean(False),
                "AttentionNeeded": dbus.Boolean(s.get("attention_needed", False)),
                "Identity": dbus.String(s["address"]),
                "PresentationIdentity": dbus.String(s["address"]),
                "MailDisabled": dbus.Boolean(s.get("mail_disabled", False)),
            },
            MAIL: {
                "EmailAddress": dbus.String(s["address"]),
                "Name": dbus.String(""),
                "ImapSupported": dbus.Boolean(True),
                "SmtpSupported": dbus.Boolean(True),
                "SmtpHost": dbus.String(s.get("smtp_host", "")),
                "SmtpUserName": dbus.String(s.get("smtp_user", s["address"])),
                "SmtpUseAuth": dbus.Boolean(True),
                "SmtpAuthXoauth2": dbus.Boolean(s.get("oauth2", True)),
                "SmtpAuthPlain": dbus.Boolean(not s.get("oauth2", True)),
                "SmtpAuthLogin": dbus.Boolean(False),
                "SmtpUseSsl": dbus.Boolean(s.get("smtp_use_ssl", False)),
                "SmtpUseTls": dbus.Boolean(s.get("smtp_use_tls", True)),
                "SmtpAcceptSslErrors": dbus.Boolean(False),
            },
        }
        result[MAIL].update(self.mail_changes)
        if s.get("oauth2", True):
            result[OAUTH2] = {
                "ClientId": dbus.String("stand-in"),
                "ClientSecret": dbus.String(""),
            }
        return result

    @dbus.service.method(ACCOUNT, in_signature="", out_signature="i")
    def EnsureCredentials(self):
        log_call("EnsureCredentials", self.state["id"])
        if self.state.get("revoked", False):
            self.set_attention(True)
            raise NotAuthorized("The grant was revoked: sign in again")
        tokens = self.state.get("tokens", [])
        self.index = min(self.index + 1, max(len(tokens) - 1, 0))
        return 3600

    @dbus.service.method(ACCOUNT, in_signature="", out_signature="")
    def Remove(self):
        raise dbus.DBusException("not in the stand-in")

    @dbus.service.method(OAUTH2, in_signature="", out_signature="si")
    def GetAccessToken(self):
        log_call("GetAccessToken", self.state["id"])
        time.sleep(self.state.get("token_delay", 0))
        if self.state.get("attention_needed", False):
            raise NotAuthorized("The account needs attention")
        return self.state["tokens"][self.index], 3600

    @dbus.service.method(PROPERTIES, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        return self.interfaces()[interface][name]

    @dbus.service.method(PROPERTIES, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.interfaces().get(interface, {})

    @dbus.service.signal(PROPERTIES, signature="sa{sv}as")
    def PropertiesChanged(self, interface, changed, invalidated):
        pass

    def set_mail_property(self, name, value):
        if name not in self.interfaces()[MAIL]:
            raise dbus.DBusException(f"Mail has no property {name}")
        self.mail_changes[name] = value
        self.PropertiesChanged(MAIL, {name: value}, [])

    def set_attention(self, value):
        self.state["attention_needed"] = value
        self.PropertiesChanged(ACCOUNT, {"AttentionNeeded": dbus.Boolean(value)}, [])


class Manager(dbus.service.Object):
    def __init__(self, bus, accounts):
        super().__init__(bus, ROOT)
        self.accounts = accounts

    @dbus.service.method("org.freedesktop.DBus.ObjectManager", in_signature="",
                         out_signature="a{oa{sa{sv}}}")
    def GetManagedObjects(self):
        return {dbus.ObjectPath(a.path): a.interfaces() for a in self.accounts}

    @dbus.service.signal("org.freedesktop.DBus.ObjectManager", signature="oa{sa{sv}}")
    def InterfacesAdded(self, path, interfaces):
        pass

    @dbus.service.method(STAND_IN, in_signature="s", out_signature="")
    def AddAccount(self, account_json):
        """An account added in Settings while Mail Setup runs."""
        state = json.loads(account_json)
        account = Account(self.connection, f"{ROOT}/Accounts/{state['id']}", state)
        self.accounts.append(account)
        self.InterfacesAdded(dbus.ObjectPath(account.path), account.interfaces())

    @dbus.service.method(STAND_IN, in_signature="sd", out_signature="")
    def SetTokenDelay(self, account_id, seconds):
        for account in self.accounts:
            if account.state["id"] == account_id:
                account.state["token_delay"] = float(seconds)
                return
        raise dbus.DBusException(f"no account {account_id}")

    @dbus.service.method(STAND_IN, in_signature="ssv", out_signature="")
    def SetMailProperty(self, account_id, name, value):
        for account in self.accounts:
            if account.state["id"] == account_id:
                account.set_mail_property(name, value)
                return
        raise dbus.DBusException(f"no account {account_id}")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        state = json.load(f)
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    accounts = [Account(bus, f"{ROOT}/Accounts/{a['id']}", a) for a in state["accounts"]]
    manager = Manager(bus, accounts)
    # The name last: once it is owned, everything is exported.
    name = dbus.service.BusName(BUS_NAME, bus)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 15, loop.quit)
    loop.run()
    del name, manager


if __name__ == "__main__":
    main()
