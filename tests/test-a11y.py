#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The real window as a screen reader sees it: mailsetup runs on a private X
# server (Xvfb) with a private accessibility bus (a dbus-daemon with
# at-spi2-core's bus configuration and at-spi2-registryd), and this script
# reads it through AT-SPI (GObject-introspected Atspi). On every page it lists
# each showing control with its role and name and fails on an unnamed control,
# a doubled name (a mnemonic underscore that leaks, or a label read twice) or a
# clickable control without an action. It completes the wizard against the
# fake SMTP server (build-aux/run --demo's set-up) with key presses and
# accessible actions only, checks that the test message arrived and that the
# accounts view shows the check, then walks the account page, the diagnostics
# page and the certificate window the same way. Every Tab stop must be
# reported as a named control with a role, and one control is one stop; text
# set or typed through AT-SPI must reach the page, and the password field must
# not show its text. Then, with a stand-in GNOME Online Accounts on the
# session bus (tests/goa-stand-in.py) and a second fake server that takes
# only its access token (XOAUTH2), a Gmail address typed on the keyboard gets
# the two choices, the Online Accounts one is chosen by accessible actions and
# the wizard completes without a password page; an address Online Accounts
# lacks gets "Open Online Accounts" and "Check Again", reached by Tab. TAP
# output.
#
#   test-a11y.py MAILSETUP FAKE_SERVER PKI_DIR LOCALE_DIR SCHEMA_DIR LANGUAGE
#
# LANGUAGE is "en" or "ja". MS_TEST_A11Y_DUMP=1 prints every node seen.

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

APP, FAKE_SERVER, PKI, LOCALEDIR, SCHEMADIR, LANGUAGE = sys.argv[1:7]
ADDRESS = "me@localhost"
# The fake server's password for this run (build-aux/test scans every output
# and file for it: it must never appear).
PASSWORD = "fake-Pa55word-7d1"
DUMP = os.environ.get("MS_TEST_A11Y_DUMP") == "1"
# The Online Accounts walk: the stand-in's account and its one access token
# (made up for this run; it goes to the stand-in and the server in files,
# and is never printed).
GOA_ADDRESS = "someone@gmail.com"
GOA_ID = "account_1733000000_0"
GOA_MISSING = "other.person@gmail.com"
TOKEN = "ya29.a11y-stand-in-%d" % os.getpid()
STAND_IN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "goa-stand-in.py")
DEADLINE = 20.0

results = []
children = []


def tap(name, condition, detail=""):
    results.append(bool(condition))
    print("%s %d - %s" % ("ok" if condition else "not ok", len(results), name), flush=True)
    if not condition and detail:
        for line in str(detail).splitlines():
            print("# " + line, flush=True)
    return condition


def note(text):
    for line in str(text).splitlines():
        print("# " + line, flush=True)


def bail(text):
    print("Bail out! " + text, flush=True)
    cleanup()
    sys.exit(1)


keyring_pids = []


def cleanup():
    for pid in keyring_pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    for proc in reversed(children):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_for(what, condition, timeout=DEADLINE):
    """Polls @condition (pumping nothing: Atspi calls are synchronous) until
    it returns something true; returns it, or None after @timeout seconds."""
    end = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except Exception as error:  # a node that went away while we looked
            value = None
            last = error
        if value:
            return value
        if time.monotonic() > end:
            note("timed out waiting for " + what)
            return None
        time.sleep(0.02)


def read_line(stream, pattern, timeout=DEADLINE):
    end = time.monotonic() + timeout
    buffer = b""
    while time.monotonic() < end:
        ready, _, _ = select.select([stream], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            break
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            break
        buffer += chunk
        match = re.search(pattern, buffer)
        if match:
            return match
    return None


# ---- the private X server, accessibility bus and SMTP server ----

def start_xvfb():
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x1024x24",
                             "-nolisten", "tcp", "-noreset"],
                            pass_fds=[write_end], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    children.append(proc)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        match = read_line(pipe, rb"(\d+)\n")
    if not match:
        bail("Xvfb did not start")
    return ":" + match.group(1).decode()


def start_a11y_bus(scratch):
    config = os.path.join(scratch, "accessibility.conf")
    with open("/usr/share/defaults/at-spi2/accessibility.conf") as source:
        text = source.read()
    # Our own socket folder, and no activation: the registry is started below
    # with this bus's address.
    text = text.replace("<listen>unix:dir=/tmp</listen>", "<listen>unix:dir=%s</listen>" % scratch)
    with open(config, "w") as out:
        out.write(text)
    proc = subprocess.Popen(["dbus-daemon", "--config-file=" + config, "--nofork",
                             "--print-address=1"], stdout=subprocess.PIPE)
    children.append(proc)
    match = read_line(proc.stdout, rb"(\S+)\n")
    if not match:
        bail("the accessibility bus did not start")
    return match.group(1).decode()


def start_session(scratch, env):
    """A session bus of our own with an unlocked, throw-away keyring: the app
    is a unique GApplication, so two runs on one bus would be one app."""
    for name in ("data", "config", "state", "cache", "runtime"):
        os.mkdir(os.path.join(scratch, name), 0o700)
    env.update(XDG_DATA_HOME=os.path.join(scratch, "data"),
               XDG_CONFIG_HOME=os.path.join(scratch, "config"),
               XDG_STATE_HOME=os.path.join(scratch, "state"),
               XDG_CACHE_HOME=os.path.join(scratch, "cache"),
               XDG_RUNTIME_DIR=os.path.join(scratch, "runtime"))
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, env=env)
    children.append(proc)
    match = read_line(proc.stdout, rb"(\S+)\n")
    if not match:
        bail("the session bus did not start")
    env["DBUS_SESSION_BUS_ADDRESS"] = match.group(1).decode()
    env.pop("GNOME_KEYRING_CONTROL", None)
    keyring = subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets",
                              "--daemonize"], input=b"testpass", env=env,
                             capture_output=True, timeout=DEADLINE)
    for line in keyring.stdout.decode().splitlines():
        key, _, value = line.partition("=")
        if key == "GNOME_KEYRING_CONTROL":
            env[key] = value


def ask_bus(bus_address, method, name):
    """One call to the bus daemon about @name (NameHasOwner,
    GetConnectionUnixProcessID...); raises GLib.Error."""
    from gi.repository import Gio, GLib
    connection = Gio.DBusConnection.new_for_address_sync(
        bus_address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    try:
        reply = connection.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", method,
                                     GLib.Variant("(s)", (name,)),
                                     None, Gio.DBusCallFlags.NONE, -1, None)
        return reply.unpack()[0]
    finally:
        connection.close_sync(None)


def keyring_pid(bus_address):
    """The keyring daemon's process, once it owns the Secret Service."""
    from gi.repository import GLib
    try:
        return ask_bus(bus_address, "GetConnectionUnixProcessID", "org.freedesktop.secrets")
    except GLib.Error:
        return None


def start_registry(env):
    proc = subprocess.Popen(["/usr/libexec/at-spi2-registryd"], env=env, stdout=subprocess.DEVNULL)
    children.append(proc)
    return proc


def start_server(scratch, name="spool", token_file=None):
    """The fake server; with @token_file it takes only that access token
    (XOAUTH2, OAUTHBEARER) for GOA_ADDRESS, no password at all."""
    spool = os.path.join(scratch, name)
    os.mkdir(spool)
    args = [FAKE_SERVER, "--mode", "tls", "--address", "127.0.0.1", "--port", "0",
            "--cert", os.path.join(PKI, "good.pem"), "--key", os.path.join(PKI, "leaf-key.pem"),
            "--spool", spool]
    if token_file:
        args += ["--user", GOA_ADDRESS, "--oauth-token-file", token_file]
    else:
        args += ["--user", ADDRESS]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    children.append(proc)
    if not token_file:
        proc.stdin.write((PASSWORD + "\n").encode())
    proc.stdin.close()
    match = read_line(proc.stdout, rb"listening on (\d+)\n")
    if not match:
        bail("the fake server did not start")
    return proc, int(match.group(1)), spool


def name_has_owner(bus_address, name):
    from gi.repository import Gio, GLib
    connection = Gio.DBusConnection.new_for_address_sync(
        bus_address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    try:
        reply = connection.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NameHasOwner",
                                     GLib.Variant("(s)", (name,)),
                                     None, Gio.DBusCallFlags.NONE, -1, None)
        return reply.unpack()[0]
    finally:
        connection.close_sync(None)


def start_goa(scratch, env):
    """The stand-in GNOME Online Accounts on the app's session bus, with one
    Google account (Mail on, OAuth2) whose server is a second fake server
    that takes only the stand-in's token. Returns that server's port and
    spool, and the stand-in's call log."""
    folder = os.path.join(scratch, "goa")
    os.mkdir(folder, 0o700)
    token_file = os.path.join(folder, "token")
    with open(os.open(token_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as out:
        out.write(TOKEN + "\n")
    server, port, spool = start_server(scratch, "goa-spool", token_file)
    state = os.path.join(folder, "state.json")
    calls = os.path.join(folder, "calls.log")
    with open(os.open(state, os.O_WRONLY | os.O_CREAT, 0o600), "w") as out:
        json.dump({"accounts": [{"id": GOA_ID, "provider": "google", "address": GOA_ADDRESS,
                                 "smtp_host": "localhost:%d" % port, "smtp_use_ssl": True,
                                 "smtp_use_tls": False, "oauth2": True, "tokens": [TOKEN]}]}, out)
    proc = subprocess.Popen([sys.executable, STAND_IN, state, calls], env=env)
    children.append(proc)
    if not wait_for("the stand-in Online Accounts",
                    lambda: proc.poll() is None
                    and name_has_owner(env["DBUS_SESSION_BUS_ADDRESS"], "org.gnome.OnlineAccounts")):
        bail("the stand-in Online Accounts did not start")
    return port, spool, calls


# ---- AT-SPI ----

TAB, RETURN, ESCAPE, SPACE = 0xff09, 0xff0d, 0xff1b, 0x20
# Roles a person operates. A "text" is a control when it is editable.
CONTROL_ROLES = {"push button", "toggle button", "check box", "radio button", "switch", "link",
                 "combo box", "menu item", "check menu item", "radio menu item", "spin button",
                 "text", "password text", "entry", "list item", "slider", "page tab"}
# Roles a person clicks: each needs an action a screen reader can invoke.
CLICKABLE_ROLES = {"push button", "toggle button", "check box", "radio button", "switch",
                   "link", "menu item", "check menu item", "radio menu item", "combo box"}
# GTK's fallback name for a widget without one is its type name.
TYPE_NAME = re.compile(r"^(Gtk|Adw|Ms)[A-Z][A-Za-z]*$")
MNEMONIC = re.compile(r"(^|[\s(「])_[^\s_]")


def init_atspi(bus_address):
    os.environ["AT_SPI_BUS_ADDRESS"] = bus_address
    # The suite makes warnings fatal for the app (kept); libatspi warns about
    # the registry's missing cache, which is harmless: not fatal here.
    app_debug = os.environ.pop("G_DEBUG", None)
    import gi
    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi
    Atspi.init()
    if app_debug is not None:
        os.environ["G_DEBUG"] = app_debug
    return Atspi


def registry_ready(bus_address):
    return ask_bus(bus_address, "NameHasOwner", "org.a11y.atspi.Registry")


def find_app(Atspi, pid):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_process_id() == pid:
            return app
    return None


# Leaves, and parts that hold no control: not walked into.
LEAF_ROLES = {"label", "image", "scroll bar", "separator", "progress bar", "animation"}


def walk(node, depth=0, out=None):
    """The nodes under @node, with their depth. GTK 4.8 reports every
    presented widget VISIBLE and none SHOWING; the app hides the pages a
    GtkStack does not show (src/gui/ms-accessible.c), so what is here is
    what a person can reach."""
    if out is None:
        out = []
    try:
        out.append((depth, node))
        if node.get_role_name() in LEAF_ROLES:
            return out
        for i in range(node.get_child_count()):
            child = node.get_child_at_index(i)
            if child is not None:
                walk(child, depth + 1, out)
    except Exception:  # a node that went away while we looked
        pass
    return out


def actions_of(node):
    if "Action" not in node.get_interfaces():
        return []
    return [Atspi.Action.get_action_name(node, i) for i in range(Atspi.Action.get_n_actions(node))]


def describe(node):
    states = node.get_state_set()
    return (node.get_role_name(), node.get_name() or "",
            [s.value_nick for s in states.get_states()], actions_of(node))


def is_control(role, flags):
    if role not in CONTROL_ROLES:
        return False
    if role == "text":
        return "editable" in flags
    if role == "list item":
        # A list item that takes no focus only shows something (a combo
        # row's current choice): nothing to operate.
        return "focusable" in flags
    return True


def dump(app):
    for depth, node in walk(app):
        role, name, flags, actions = describe(node)
        note("%s%s %r %s %s" % ("  " * depth, role, name, ",".join(flags), actions))


def doubled(name):
    words = name.split()
    half = len(words) // 2
    return len(words) >= 2 and len(words) % 2 == 0 and words[:half] == words[half:]


def audit(app, page):
    """One TAP line: every showing control of @page has one name, no
    mnemonic marker, and an action when it is clicked."""
    problems, listing = [], []
    for depth, node in walk(app):
        try:
            role, name, flags, actions = describe(node)
        except Exception:
            continue
        if not is_control(role, flags):
            continue
        listing.append("%s %r%s" % (role, name, " " + "/".join(actions) if actions else ""))
        if not name.strip() or TYPE_NAME.match(name):
            inside = [n.get_name() for d, n in walk(node) if n.get_role_name() == "label"]
            problems.append("unnamed %s (%r), showing %r" % (role, name, inside))
        elif doubled(name) or MNEMONIC.search(name):
            problems.append("doubled name: %s %r" % (role, name))
        if role in CLICKABLE_ROLES and not actions:
            problems.append("no action: %s %r" % (role, name))
    note("%s: %d controls" % (page, len(listing)))
    for line in listing:
        note("  " + line)
    return tap("%s: every control named once, with an action when clickable" % page,
               listing and not problems, "\n".join(problems))


def find(app, role, name=None, prefix=None):
    for depth, node in walk(app):
        try:
            if node.get_role_name() != role:
                continue
            text = node.get_name() or ""
        except Exception:
            continue
        if (name is not None and text == name) or (prefix is not None and text.startswith(prefix)):
            return node
    return None


def wait_node(app, role, name=None, prefix=None, timeout=DEADLINE):
    return wait_for("%s %r" % (role, name or prefix),
                    lambda: find(app, role, name=name, prefix=prefix), timeout)


def sensitive(node):
    return node.get_state_set().contains(Atspi.StateType.SENSITIVE)


focus_events = []


def on_focus_event(event):
    if event.detail1 == 1:
        focus_events.append(event.source)


def listen_for_focus():
    global focus_listener
    focus_listener = Atspi.EventListener.new(on_focus_event)
    focus_listener.register("object:state-changed:focused")


def pump(seconds):
    """Runs the main loop (where AT-SPI events arrive) for @seconds at most,
    until an event came."""
    from gi.repository import GLib
    context = GLib.MainContext.default()
    end = time.monotonic() + seconds
    count = len(focus_events)
    while time.monotonic() < end and len(focus_events) == count:
        if not context.iteration(False):
            time.sleep(0.005)


def key(keysym):
    Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.PRESSRELEASE
                                  | Atspi.KeySynthType.SYM)


def type_text(text):
    Atspi.generate_keyboard_event(0, text, Atspi.KeySynthType.STRING)


def click(node):
    """The control's first action ("click", "row.activate"), as a screen
    reader invokes it."""
    return Atspi.Action.do_action(node, 0)


def page_step(app):
    """The wizard's "Step 2 of 6" under the title."""
    title = find(app, "filler", name="MsHeaderTitle")
    if title is None:
        return None
    labels = [node.get_name() for depth, node in walk(title) if node.get_role_name() == "label"]
    return labels[-1] if labels else None


def wait_page(app, step, steps=6):
    expected = T("Step %u of %u").replace("%u", str(step), 1).replace("%u", str(steps), 1)
    return tap("wizard step %d shows" % step,
               wait_for(expected, lambda: page_step(app) == expected),
               "shown instead: %r" % page_step(app))


# Roles that say nothing about what has the focus (GTK's containers).
VAGUE_ROLES = {"filler", "panel", "unknown", "invalid", "redundant object"}


def focused_now():
    return focus_events[-1] if focus_events else None


def tab_walk(app, page, expected, end_on=None):
    """Tab through the page: focus must move, land on each of @expected (names
    of controls reached by the keyboard), and every stop must be reported as a
    named control with a role: a screen reader says nothing at a silent stop
    (an entry row of libadwaita 1.2 on GTK 4.8 is one, ms-entry-row.c) and
    only "panel" at a vague one. A field is reached once per round. With
    @end_on, Tab goes on until that control has the focus again."""
    seen, problems, fields = [], [], []
    pump(0.05)
    for _ in range(30):
        count = len(focus_events)
        key(TAB)
        # Generous for a loaded machine; only a silent stop waits it out.
        pump(1.5)
        if len(focus_events) == count:
            problems.append("a Tab stop after %r reported no focus" % (seen[-1:] or "the start"))
            continue
        node = focus_events[-1]
        role, name = node.get_role_name(), node.get_name() or ""
        if seen and name == seen[-1]:
            # One control, two stops (a row and the switch it holds).
            problems.append("two Tab stops in a row for %s %r" % (role, name))
            continue
        if seen and name == seen[0]:
            break
        seen.append(name)
        if not name.strip() or TYPE_NAME.match(name) or role in VAGUE_ROLES:
            problems.append("a Tab stop reported as %s %r" % (role, name))
        if role in ("text", "password text"):
            fields.append(name)
    note("%s: Tab stops %r" % (page, seen))
    problems += ["the field %r is reached twice" % n for n in set(fields) if fields.count(n) > 1]
    missing = [n for n in expected if n not in seen]
    tap("%s: Tab reaches %s" % (page, ", ".join(expected)), not missing,
        "not reached: %r" % missing)
    tap("%s: every Tab stop reports its focus, named, with a role" % page, not problems,
        "\n".join(problems))
    for _ in range(len(seen) + 1 if end_on is not None else 0):
        if focused_now() is not None and focused_now().get_name() == end_on:
            break
        key(TAB)
        pump(1.5)
    return seen


def text_of(node):
    count = Atspi.Text.get_character_count(node)
    return Atspi.Text.get_text(node, 0, count)


text_events = []


def on_text_event(event):
    try:
        role = event.source.get_role_name()
    except Exception:
        return
    if isinstance(event.any_data, str):
        text_events.append((role, event.any_data))


def listen_for_text():
    global text_listener
    text_listener = Atspi.EventListener.new(on_text_event)
    text_listener.register("object:text-changed")


def hides_password(node):
    """The password field shows the password to nobody: its text (if it has
    any) and the text-changed events it sent hold no letter or digit. Only
    booleans are reported: the password must never reach the log."""
    shown = text_of(node) if "Text" in node.get_interfaces() else ""
    sent = [data for role, data in text_events if role == "password text"]
    return (not any(c.isalnum() for c in shown)
            and not any(c.isalnum() for data in sent for c in data))


# ---- the walk ----

def start_app(env, scratch, port, ca_file):
    env = dict(env, MAILSETUP_DEMO_PORT=str(port))
    if ca_file:
        env["MAILSETUP_DEMO_CA_FILE"] = ca_file
    else:
        env.pop("MAILSETUP_DEMO_CA_FILE", None)
    proc = subprocess.Popen([APP], env=env)
    children.append(proc)
    # The focus events of an app before this one say nothing about it.
    del focus_events[:]
    # Generous: the suite runs many windows at once on two cores.
    app = wait_for("the application on the accessibility bus",
                   lambda: proc.poll() is None and find_app(Atspi, proc.pid), 90)
    if app is None:
        bail("mailsetup did not appear on the accessibility bus (exit status %r)" % proc.poll())
    app.set_cache_mask(Atspi.Cache.NONE)
    return proc, app


def stop_app(proc):
    proc.terminate()
    proc.wait(10)


def wizard(app, spool):
    wait_page(app, 1)
    audit(app, "address page")
    address = wait_node(app, "text", name=T("Email address"))
    main = wait_node(app, "push button", name=T("Continue"))
    tap("the address field reads the demo address",
        address and wait_for("the address", lambda: text_of(address) == ADDRESS))
    tap("Continue is enabled for the demo address", main and wait_for("Continue enabled",
                                                                       lambda: sensitive(main)))
    tab_walk(app, "address page", [T("Email address"), T("Continue")], end_on=T("Email address"))
    # Text set through AT-SPI reaches the page: no address, no Continue.
    Atspi.EditableText.set_text_contents(address, "")
    tap("an address emptied through AT-SPI is checked by the page",
        wait_for("Continue disabled", lambda: not sensitive(main)))
    type_text(ADDRESS)
    tap("an address typed with the keyboard is read back and accepted",
        wait_for("the typed address", lambda: text_of(address) == ADDRESS and sensitive(main)))
    click(main)

    wait_page(app, 2)
    audit(app, "password page")
    password = wait_node(app, "password text", prefix="")
    tap("the password field is a named password text", password and password.get_name())
    # The password field has the focus: the keyboard types into it.
    type_text(PASSWORD)
    main = wait_node(app, "push button", name=T("Continue"))
    tap("the typed password makes the page valid",
        main and wait_for("Continue enabled", lambda: sensitive(main)))
    tap("the password field tells its length, not its text",
        password and Atspi.Text.get_character_count(password) == len(PASSWORD)
        and hides_password(password))
    tab_walk(app, "password page", [password.get_name() if password else "?", T("Show Text"),
                                    T("Continue")], end_on=password.get_name() if password else None)
    key(RETURN)

    wait_page(app, 3)
    main = wait_node(app, "push button", name=T("Continue"))
    tap("the server check passes", main and wait_for("Sign In enabled", lambda: sensitive(main)))
    audit(app, "server page")
    tab_walk(app, "server page", [T("Continue"), T("Back")])
    click(main)

    wait_page(app, 5)
    send = wait_node(app, "push button", name=T("Send Test Message"))
    tap("the test page offers Send Test Message",
        send and wait_for("Send enabled", lambda: sensitive(send)))
    audit(app, "test message page")
    tab_walk(app, "test message page", [T("To"), T("Send Test Message")])
    click(send)
    arrived = wait_for("the message in the spool", lambda: messages(spool))
    tap("the test message arrived at the server", arrived)
    if arrived:
        with open(os.path.join(spool, sorted(arrived)[0]), "rb") as message:
            content = message.read()
            tap("it is the wizard's test message, from the address typed",
                b"Message-ID:" in content and ("From: " + ADDRESS).encode() in content)
    wait_node(app, "push button", name=T("Continue"))
    audit(app, "test message page, sent")
    click(wait_node(app, "push button", name=T("Continue")))

    wait_page(app, 6)
    done = wait_node(app, "push button", name=T("Done"))
    tap("the account is saved (Done is enabled)",
        done and wait_for("Done enabled", lambda: sensitive(done)))
    audit(app, "done page")
    keep = wait_node(app, "check box", name=T("Save password in the keyring"))
    tap("the keyring choice is one named switch with an action", keep and actions_of(keep))
    tab_walk(app, "done page", [T("Save password in the keyring"), T("Done")])
    if keep:
        toggles_by_keyboard(keep)
    click(wait_node(app, "push button", name=T("Done")))


def focus_on(node):
    """Moves the focus to @node: asked through AT-SPI, else by Tab."""
    name = node.get_name()
    try:
        Atspi.Component.grab_focus(node)
    except Exception:  # GTK 4.8 does not take every such request
        pass
    pump(0.5)
    for _ in range(30):
        try:
            if focused_now() is not None and focused_now().get_name() == name:
                return True
        except Exception:  # a node that went away
            pass
        key(TAB)
        pump(1.5)
    return False


def messages(spool):
    """The messages the fake server wrote whole (it writes N.eml through a
    temporary file that is renamed)."""
    return sorted(name for name in os.listdir(spool) if name.endswith(".eml"))


def checked(node):
    return node.get_state_set().contains(Atspi.StateType.CHECKED)


def toggles_by_keyboard(switch):
    """Space and Enter on the focused switch toggle it, and so does its
    accessible action; it ends as it began (on: the password kept)."""
    was = checked(switch)
    tap("the keyring switch takes the focus", focus_on(switch))
    for name, press in (("Space", lambda: key(SPACE)), ("Enter", lambda: key(RETURN)),
                        ("its action", lambda: click(switch))):
        before = checked(switch)
        press()
        tap("the keyring switch toggles with %s" % name,
            wait_for("the switch toggled", lambda: checked(switch) != before))
    # Three toggles: once more, back to where it began.
    click(switch)
    tap("the keyring switch is back on", wait_for("the switch back", lambda: checked(switch) == was))


def accounts(app):
    row = wait_node(app, "list item", prefix=ADDRESS)
    tap("the accounts view lists the new account", row)
    if row is None:
        return
    audit(app, "accounts view")
    texts = [n.get_name() for d, n in walk(row) if n.get_role_name() == "label"]
    note("account row: %r %r" % (row.get_name(), texts))
    fine = T("%s · last check: all fine").replace("%s", "localhost")
    tap("the accounts view shows the wizard's check", fine in texts, "%r" % texts)
    tap("the account row has an action", actions_of(row))
    click(row)
    diagnostics = wait_node(app, "list item", name=T("Diagnostics"))
    tap("the account page shows", diagnostics)
    audit(app, "account page")
    tab_walk(app, "account page", [T("Test message to")])
    if diagnostics is None:
        return
    click(diagnostics)
    run = wait_node(app, "push button", name=U("_Run Checks"))
    tap("the diagnostics page shows", run)
    audit(app, "diagnostics page")
    click(run)
    copy = wait_for("the report", lambda: (lambda n: n if n and sensitive(n) else None)(
        find(app, "list item", name=T("Copy Report"))))
    tap("the checks ran", copy)
    audit(app, "diagnostics page, checked")
    # Escape and the keyboard bring the person back: the Back button.
    back = wait_node(app, "push button", name=T("Back"))
    tap("Back is there", back)


def certificate(app):
    """The same server without its CA: the server page shows the problem and
    View Certificate opens the certificate window; Escape closes it."""
    address = wait_node(app, "push button", name=T("Continue"))
    click(address)
    wait_page(app, 2)
    type_text(PASSWORD)
    key(RETURN)
    wait_page(app, 3)
    view = wait_node(app, "list item", name=U("_View Certificate"))
    tap("an unknown certificate offers View Certificate", view)
    if view is None:
        return
    click(view)
    tap("the certificate window opens",
        wait_for("the certificate window", lambda: app.get_child_count() > 1))
    audit(app, "certificate window")
    key(ESCAPE)
    tap("Escape closes the certificate window",
        wait_for("one window", lambda: app.get_child_count() == 1))

    click(view)
    wait_for("the certificate window", lambda: app.get_child_count() > 1)
    trust = wait_node(app, "push button", name=U("_Trust This Certificate"))
    tap("a certificate from a private CA can be trusted", trust)
    if trust is None:
        return
    click(trust)
    tap("Trust asks first", wait_for("the confirmation", lambda: app.get_child_count() > 2))
    audit(app, "trust confirmation")
    if os.environ.get("MS_TEST_A11Y_DUMP2"):
        dump(app.get_child_at_index(2))
    key(ESCAPE)
    tap("Escape cancels the confirmation",
        wait_for("two windows", lambda: app.get_child_count() == 2))


def P(msgid):
    """One of providers.json's words, as the app shows it."""
    return translation.pgettext("provider", msgid)


ONLINE = {"choice": "Use the account from Online Accounts (no app password)",
          "alternative": "Use an app password instead",
          "settings_button": "Open Online Accounts",
          "check_again": "Check Again"}


def online_accounts(app, spool, calls):
    """A Gmail address Online Accounts has, typed on the keyboard: its way
    first, the app password beside it, each a named radio button with an
    action; chosen by accessible action, the wizard goes on without a
    password page, signs in with the stand-in's token and sends."""
    wait_page(app, 1)
    address = wait_node(app, "text", name=T("Email address"))
    if address is None:
        return
    Atspi.EditableText.set_text_contents(address, "")
    focus_on(address)
    type_text(GOA_ADDRESS)
    tap("the Gmail address typed is read back",
        wait_for("the typed address", lambda: text_of(address) == GOA_ADDRESS))
    choice = wait_node(app, "list item", name=P(ONLINE["choice"]))
    alternative = wait_node(app, "list item", name=P(ONLINE["alternative"]))
    tap("the address Online Accounts has shows its way and the app password as rows",
        choice and alternative)
    if not (choice and alternative):
        dump(app)
        return
    tap("the choices have actions", actions_of(choice) and actions_of(alternative))
    tap("the Online Accounts way is the first choice, chosen", checked(choice) and not checked(alternative))
    audit(app, "address page, Online Accounts")
    tab_walk(app, "address page, Online Accounts",
             [T("Email address"), P(ONLINE["choice"]), P(ONLINE["alternative"]), T("Continue")],
             end_on=T("Email address"))
    # Chosen by accessible action: the app password, then Online Accounts again.
    click(alternative)
    tap("the app password is chosen by its action",
        wait_for("the alternative", lambda: checked(alternative) and not checked(choice)))
    wait_page(app, 1, 6)
    click(choice)
    tap("Online Accounts is chosen by its action",
        wait_for("the choice", lambda: checked(choice) and not checked(alternative)))
    tap("five steps without a password page", wait_page(app, 1, 5))
    main = wait_node(app, "push button", name=T("Continue"))
    tap("Continue is enabled", main and wait_for("Continue enabled", lambda: sensitive(main)))
    click(main)

    # The server page with GOA's settings: no password page on the way.
    wait_page(app, 2, 5)
    tap("no password field is shown", find(app, "password text", prefix="") is None)
    main = wait_node(app, "push button", name=T("Continue"))
    tap("the server check of GOA's settings passes",
        main and wait_for("Continue enabled", lambda: sensitive(main)))
    audit(app, "server page, Online Accounts")
    click(main)

    wait_page(app, 4, 5)
    send = wait_node(app, "push button", name=T("Send Test Message"))
    tap("the sign-in with the token passed: Send Test Message",
        send and wait_for("Send enabled", lambda: sensitive(send)))
    audit(app, "test message page, Online Accounts")
    click(send)
    arrived = wait_for("the message in the spool", lambda: messages(spool))
    tap("the test message arrived at the server that takes only the token", arrived)
    if arrived:
        with open(os.path.join(spool, sorted(arrived)[0]), "rb") as message:
            tap("it is from the Gmail address", ("From: " + GOA_ADDRESS).encode() in message.read())
    with open(calls, encoding="utf-8") as log:
        tap("the app asked Online Accounts for the token",
            ("GetAccessToken " + GOA_ID) in log.read())
    click(wait_node(app, "push button", name=T("Continue")))

    wait_page(app, 5, 5)
    done = wait_node(app, "push button", name=T("Done"))
    tap("the account is saved", done and wait_for("Done enabled", lambda: sensitive(done)))
    audit(app, "done page, Online Accounts")
    tap("no keyring switch for an account of Online Accounts",
        find(app, "check box", name=T("Save password in the keyring")) is None)
    tab_walk(app, "done page, Online Accounts", [T("Done")])
    click(done)

    row = wait_node(app, "list item", prefix=GOA_ADDRESS)
    tap("the accounts view lists the account", row)
    if row is None:
        return
    click(row)
    online = wait_node(app, "list item", name=T("Online Accounts"))
    tap("the account page says it signs in through Online Accounts", online)
    audit(app, "account page, Online Accounts")


def online_accounts_missing(app):
    """A Gmail address Online Accounts lacks: the app password way, with
    "Open Online Accounts" and "Check Again", named and reached by Tab."""
    wait_page(app, 1)
    address = wait_node(app, "text", name=T("Email address"))
    if address is None:
        return
    Atspi.EditableText.set_text_contents(address, "")
    focus_on(address)
    type_text(GOA_MISSING)
    settings = wait_node(app, "list item", name=P(ONLINE["settings_button"]))
    again = wait_node(app, "list item", name=P(ONLINE["check_again"]))
    tap("an address Online Accounts lacks gets Open Online Accounts and Check Again",
        settings and again)
    tap("both have an action", settings and again and actions_of(settings) and actions_of(again))
    tap("no Online Accounts choice is offered", find(app, "list item", name=P(ONLINE["choice"])) is None)
    audit(app, "address page, no Online Accounts account")
    tab_walk(app, "address page, no Online Accounts account",
             [T("Email address"), P(ONLINE["settings_button"]), P(ONLINE["check_again"]),
              T("Continue")], end_on=T("Email address"))
    if again:
        click(again)
        tap("Check Again asks again: still the two buttons",
            wait_node(app, "list item", name=P(ONLINE["check_again"])))


def U(msgid):
    """A translated label as GTK names it: without its mnemonic marker."""
    return T(msgid).replace("_", "", 1)


def main():
    global Atspi, T, translation
    import gettext
    translation = gettext.translation("mailsetup", LOCALEDIR, languages=[LANGUAGE],
                                      fallback=LANGUAGE == "en")
    T = translation.gettext
    scratch = tempfile.mkdtemp(prefix="mailsetup-a11y.")
    try:
        display = start_xvfb()
        bus = start_a11y_bus(scratch)
        env = dict(os.environ, DISPLAY=display, AT_SPI_BUS_ADDRESS=bus)
        for name in ("GTK_A11Y", "NO_AT_BRIDGE", "WAYLAND_DISPLAY"):
            env.pop(name, None)
        start_session(scratch, env)
        start_registry(env)
        Atspi = init_atspi(bus)
        pid = wait_for("the keyring", lambda: keyring_pid(env["DBUS_SESSION_BUS_ADDRESS"]))
        if pid is None:
            bail("gnome-keyring-daemon did not start")
        keyring_pids.append(pid)
        # The app registers with the registry when its window appears.
        if not wait_for("the accessibility registry", lambda: registry_ready(bus)):
            bail("at-spi2-registryd did not start")
        listen_for_focus()
        listen_for_text()
        server, port, spool = start_server(scratch)
        env.update(GSETTINGS_SCHEMA_DIR=SCHEMADIR, MAILSETUP_LOCALEDIR=LOCALEDIR,
                   MAILSETUP_CONFIG_DIR=os.path.join(scratch, "accounts"),
                   MAILSETUP_STATE_DIR=os.path.join(scratch, "state"),
                   MAILSETUP_DEMO_HOST="localhost", MAILSETUP_DEMO_SECURITY="tls",
                   MAILSETUP_DEMO_ADDRESS=ADDRESS)
        if LANGUAGE == "ja":
            env.update(LANGUAGE="ja", LC_ALL="ja_JP.UTF-8", LANG="ja_JP.UTF-8")
        else:
            env.update(LANGUAGE="en", LC_ALL="C.UTF-8", LANG="C.UTF-8")
        proc, app = start_app(env, scratch, port, os.path.join(PKI, "ca.pem"))
        if DUMP:
            dump(app)
        wizard(app, spool)
        accounts(app)
        stop_app(proc)
        proc, app = start_app(dict(env, MAILSETUP_CONFIG_DIR=os.path.join(scratch, "accounts2")),
                              scratch, port, None)
        certificate(app)
        stop_app(proc)
        goa_port, goa_spool, calls = start_goa(scratch, env)
        # The demo's server is the one Online Accounts names: its CA is the
        # test PKI's (src/gui/ms-gui-demo.c).
        goa_env = dict(env, MAILSETUP_CONFIG_DIR=os.path.join(scratch, "accounts3"))
        proc, app = start_app(goa_env, scratch, goa_port, os.path.join(PKI, "ca.pem"))
        online_accounts(app, goa_spool, calls)
        stop_app(proc)
        proc, app = start_app(dict(goa_env, MAILSETUP_CONFIG_DIR=os.path.join(scratch, "accounts4")),
                              scratch, goa_port, os.path.join(PKI, "ca.pem"))
        online_accounts_missing(app)
        stop_app(proc)
    finally:
        cleanup()
        shutil.rmtree(scratch, ignore_errors=True)
    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
