#!/usr/bin/env python3
"""syncmesh interop driver for py2p 0.7 (the py_src package of py2p's repository).

Starts ONE py2p node (a SyncSocket, or a MeshSocket with --mesh) and drives it through a
subset of "the node line protocol" that interop/js2p/driver.js and `syncmesh node --json` speak:
one command per stdin line, exactly one JSON reply line per command on stdout.

Start:
  python3 interop/py2p/driver.py --py2p-src PATH [--host H] [--port P] [--mesh]
    --py2p-src PATH  the py2p package directory (py_src/ in py2p's repository); it is loaded as
                     the package "py2p" from there, nothing is installed or copied
    --host H         bind/advertised host (default 127.0.0.1)
    --port P         listen port (default 0 = a free port, picked before py2p binds it, so that
                     py2p advertises the real port)
    --mesh           a plain mesh socket instead of a sync socket

Output: first line {"ok":true,"result":{"id","host","port","protocol_id_bin"}} once the node
listens, or {"ok":false,"error"} and exit status 1. Then one line per command:
{"ok":true,"result":...} or {"ok":false,"error":"..."}. Everything py2p prints goes to stderr.
End of input or `quit` closes the node, exit 0.

Commands:
  id                 -> node id (text)
  connect HOST PORT  -> null (py2p's connect() is blocking, with its own 1 s timeout)
  peers              -> [{"id","host","port"}] for every routing-table entry; host and port are
                        null for an entry py2p holds without a completed handshake
  set KEY VALUE      -> null (VALUE is JSON; KEY a bare token)
  get KEY            -> the value, or null
  send VALUE         -> VALUE is a JSON array of packets, sent as one broadcast; null
  recv               -> [{"sender","packets"}] received since the last recv (sub-flag dropped)
  status             -> "Nominal", or ["<n>x <last line of the traceback>", ...]: py2p's status
                        grouped by exception, so a flood of one error stays one line
  errors             -> the number of entries in py2p's status
  advertised         -> [{"kind":"peers"|"response","entries":[{"host","port","id"}]}]: every
                        peers list and response that reached the node, recorded ahead of py2p's
                        handlers, oldest first
  askpeers           -> null; py2p's own request_peers(): request "*" (as py2p sends it) to
                        every routing-table peer
  quit               -> null, then exit 0
Values: msgpack bin <-> {"$bin":"<base64>"}.
"""

import argparse
import base64
import importlib
import json
import os
import socket
import sys
import threading
import types

PROTOCOL_OUT = sys.stdout
sys.stdout = sys.stderr  # py2p prints at debug level 0 too; keep the protocol stream clean


def reply(obj):
    PROTOCOL_OUT.write(json.dumps(obj, separators=(",", ":")) + "\n")
    PROTOCOL_OUT.flush()


def ok(result):
    return {"ok": True, "result": result}


def fail(message):
    return {"ok": False, "error": message}


def text(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return value if value is None else str(value)


def to_json(value):
    if isinstance(value, (bytes, bytearray)):
        return {"$bin": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {text(k): to_json(v) for k, v in value.items()}
    return value


def from_json(value):
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, dict):
        if list(value) == ["$bin"] and isinstance(value["$bin"], str):
            return base64.b64decode(value["$bin"])
        return {k: from_json(v) for k, v in value.items()}
    return value


def load_py2p(path):
    """The package "py2p" from `path`, without running its __init__.py: that one also imports
    chord and ford, which need async_promises, a module no Debian package provides. The mesh and
    sync modules import only base, flags, messages and utils."""
    if not os.path.isfile(os.path.join(path, "mesh.py")):
        raise ImportError("no py2p package at %s (expected py_src/ of py2p's repository)" % path)
    package = types.ModuleType("py2p")
    package.__path__ = [path]
    sys.modules["py2p"] = package
    mesh = importlib.import_module("py2p.mesh")
    sync = importlib.import_module("py2p.sync")
    flags = importlib.import_module("py2p.flags")
    return mesh, sync, flags


def free_port(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def snapshot(items):
    """A copy of a dict's items that py2p's daemon thread may be changing meanwhile."""
    for _ in range(100):
        try:
            return list(items())
        except RuntimeError:
            continue
    return []


def main():
    parser = argparse.ArgumentParser(description="drive one py2p 0.7 node over the node line protocol")
    parser.add_argument("--py2p-src", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mesh", action="store_true")
    try:
        opts = parser.parse_args()
    except SystemExit:
        reply(fail("bad arguments: %s" % " ".join(sys.argv[1:])))
        sys.exit(1)

    try:
        mesh, sync, flags = load_py2p(os.path.abspath(opts.py2p_src))
        port = opts.port or free_port(opts.host)
        kind = mesh.MeshSocket if opts.mesh else sync.SyncSocket
    except Exception as e:  # anything: the caller gets one line and a status
        reply(fail("cannot load py2p from %s: %r" % (opts.py2p_src, e)))
        sys.exit(1)

    advertised = []
    lock = threading.Lock()

    def entry(e):
        try:
            (host, port_), node_id = e[0], e[1]
            return [{"host": text(host), "port": int(port_), "id": text(node_id)}]
        except Exception:
            return []

    def record(msg, handler):
        packets = msg.packets
        if packets and packets[0] == flags.peers and len(packets) > 1:
            entries = [x for e in packets[1] for x in entry(e)]
            with lock:
                advertised.append({"kind": "peers", "entries": entries})
        elif packets and packets[0] == flags.response and len(packets) > 2:
            with lock:
                advertised.append({"kind": "response", "entries": entry(packets[2])})
        return None

    try:
        sock = kind(opts.host, port)
        # Ahead of py2p's own handlers, which claim these messages.
        sock._BaseSocket__handlers.insert(0, record)
    except Exception as e:
        reply(fail("cannot start py2p on %s:%s: %r" % (opts.host, port, e)))
        sys.exit(1)

    def status_lines():
        st = sock.status
        if st == "Nominal":
            return "Nominal"
        counts = {}
        for tb in list(st):
            last = str(tb).strip().splitlines()[-1] if str(tb).strip() else repr(tb)
            counts[last] = counts.get(last, 0) + 1
        return ["%dx %s" % (n, last) for last, n in counts.items()]

    def cmd_peers(rest):
        out = []
        for node_id, handler in snapshot(sock.routing_table.items):
            addr = handler.addr
            out.append({"id": text(node_id),
                        "host": text(addr[0]) if addr else None,
                        "port": int(addr[1]) if addr else None})
        return out

    def cmd_connect(rest):
        host, port_ = rest.split()
        sock.connect(host, int(port_))
        return None

    def key_and_value(rest):
        parts = rest.strip().split(None, 1)
        if not parts:
            raise ValueError("missing KEY")
        return parts[0], (parts[1] if len(parts) > 1 else None)

    def cmd_set(rest):
        key, value = key_and_value(rest)
        if value is None:
            raise ValueError("usage: set KEY VALUE")
        sock.set(key, from_json(json.loads(value)))
        return None

    def cmd_get(rest):
        key, extra = key_and_value(rest)
        return to_json(sock.get(key))

    def cmd_send(rest):
        packets = from_json(json.loads(rest))
        if not isinstance(packets, list):
            raise ValueError("send needs a JSON array of packets")
        sock.send(*packets)
        return None

    def cmd_recv(rest):
        out = []
        while True:
            msg = sock.recv()
            if msg is None:
                return out
            out.append({"sender": text(msg.sender), "packets": to_json(list(msg.packets[1:]))})

    def cmd_advertised(rest):
        with lock:
            return list(advertised)

    commands = {
        "id": lambda rest: text(sock.id),
        "connect": cmd_connect,
        "peers": cmd_peers,
        "set": cmd_set,
        "get": cmd_get,
        "send": cmd_send,
        "recv": cmd_recv,
        "status": lambda rest: status_lines(),
        "errors": lambda rest: 0 if sock.status == "Nominal" else len(sock.status),
        "advertised": cmd_advertised,
        "askpeers": lambda rest: sock.request_peers(),
        "quit": lambda rest: None,
    }

    reply(ok({"id": text(sock.id), "host": opts.host, "port": port,
              "protocol_id_bin": isinstance(sock.protocol.id, bytes)}))

    for line in sys.stdin:
        line = line.rstrip("\r\n")
        name, _, rest = line.strip().partition(" ")
        if name not in commands:
            reply(fail("unknown command: %s" % name))
            continue
        try:
            reply(ok(commands[name](rest)))
        except Exception as e:
            reply(fail("%s: %s" % (type(e).__name__, e)))
        if name == "quit":
            break

    # py2p's close() joins its daemon thread; do not let a stuck one keep the process alive.
    threading.Timer(5, lambda: os._exit(0)).start()
    try:
        sock.close()
    except Exception as e:
        sys.stderr.write("close failed: %r\n" % (e,))
    os._exit(0)


if __name__ == "__main__":
    main()
