#!/usr/bin/env node
/*
 * syncmesh interop driver for js2p 0.7.870
 * =========================================
 *
 * Starts ONE js2p node (a SyncSocket, or a MeshSocket with --mesh) and drives it through
 * "the node line protocol": one command per stdin line, exactly one JSON reply line per
 * command on stdout. The Java `syncmesh node --json` speaks the same protocol, so tests and
 * benchmarks can drive either implementation identically. See README.md next to this file.
 *
 * Start:
 *   node interop/js2p/driver.js [--host H] [--port P] [--connect H:P]... [--subnet S]
 *                               [--transport Plaintext|SSL] [--no-leasing] [--mesh]
 *     --host H        bind/advertised host (default 127.0.0.1)
 *     --port P        listen port (default 4444; 0 = pick a free ephemeral port; see below)
 *     --connect H:P   connect to a peer right after the listener is bound (repeatable)
 *     --subnet S      subnet (default "sync", or "mesh" with --mesh). The sync layer of js2p
 *                     appends the leasing digit itself ("sync" -> "sync1"/"sync0").
 *     --transport T   Plaintext (default) or SSL
 *     --no-leasing    leasing=false; otherwise leasing=true is passed EXPLICITLY (js2p treats an
 *                     omitted leasing argument as "sync1 subnet but no lease enforcement")
 *     --mesh          plain mesh socket instead of a sync socket
 *     --ttl-s S       exit by itself (status 3) after S seconds, whatever happens (benchmarks)
 *
 *   Port 0: js2p would bind an ephemeral port but keep advertising port 0 in its handshake and
 *   derive its id from port 0, so the driver asks the OS for a free port first and hands js2p
 *   that concrete port.
 *
 * Output: first line, once the listener is bound:
 *   {"ok":true,"result":{"id":"<node id>","host":"<host>","port":<bound port>}}
 * or, if the node cannot start: {"ok":false,"error":"..."} and exit status 1.
 * Then one line per command: {"ok":true,"result":<json>} or {"ok":false,"error":"<message>"}.
 * js2p's own console output goes to stderr. End of input or `quit` closes the node, exit 0.
 *
 * Arguments: KEY is a bare token without spaces, or a JSON string literal ("..."). VALUE is the
 * rest of the line parsed as JSON. msgpack bin <-> {"$bin":"<base64>"}.
 *
 * Commands (the node line protocol):
 *   id                     -> node id (string)
 *   connect HOST PORT      -> null once the attempt is started (ok:false if js2p refuses it)
 *   peers                  -> [{"id","host","port"}] for handshaken routing-table entries
 *   set KEY VALUE          -> null; lease refusal -> ok:false, message contains "lease";
 *                             `set KEY null` is the same as `del KEY`
 *   get KEY                -> stored value or null (reads the store directly, so falsy values
 *                             like 0/""/false are returned as stored; js2p's own get() would
 *                             return the fallback for them)
 *   del KEY                -> null (js2p's del always throws: ok:false with its error text)
 *   delta KEY OBJECT       -> null
 *   pop KEY                -> removed value or null (js2p's pop deletes, so it fails like del)
 *   keys                   -> [key, ...] (every stored key, including falsy-valued ones)
 *   items                  -> {key: value, ...}
 *   meta KEY               -> {"owner":"<id>","timestamp":<seconds>} or null
 *   send VALUE             -> VALUE is a JSON array of packets, sent as one mesh broadcast; null
 *   recv                   -> [{"sender":"<id>","packets":[...]}] since the last recv, oldest
 *                             first (the broadcast/whisper sub-flag is dropped)
 *   status                 -> "Nominal" or [error strings] (js2p socket.status + exceptions
 *                             caught by the driver)
 *   quit                   -> null, then exit 0
 * Extra commands for tests and benchmarks:
 *   count                  -> number of keys
 *   waitkeys N TIMEOUT_MS  -> {"count":c,"elapsed_ms":ms} once the node holds >= N keys;
 *                             ok:false on timeout
 *   events on|off          -> null; while on, every `update` event is recorded with its
 *                             arrival time
 *   arrivals               -> [{"key":..., "t_ns":<process.hrtime.bigint() as number>}] recorded
 *                             since the last call (CLOCK_MONOTONIC ns, comparable with Java's
 *                             System.nanoTime() on the same Linux host)
 * Writer commands for benchmarks (bench/; the same keys and values as bench's Java nodes):
 *   bulkset N PREFIX VALUESIZE
 *                          -> {"n","t0_ns","t1_ns"}: N sets, in-process, as fast as js2p's set()
 *                             allows (yielding to the event loop every 50 sets so that the
 *                             node keeps serving its links); key i is PREFIX + i zero-padded to
 *                             16 characters, its value VALUESIZE pseudo-random characters
 *   paceset N INTERVAL_MS PREFIX VALUESIZE
 *                          -> {"n","t0_ns","sends":[t_ns...]}: the same keys, one set every
 *                             INTERVAL_MS (set i is due at t0 + i*INTERVAL_MS; sends[i] is taken
 *                             just before set i)
 *   Times are process.hrtime.bigint() (CLOCK_MONOTONIC ns) as numbers.
 * Peer exchange (what the node was told to dial; tests of the peer-exchange rule):
 *   advertised             -> [{"kind":"peers"|"response","entries":[{"host","port","id"}]}]:
 *                             every peers list (empty ones too) and every response (its route as
 *                             the one entry) that reached the node since it started, oldest
 *                             first; recorded before js2p's own handlers see them, so entries
 *                             js2p would not dial are listed too
 *   askpeers               -> null; sends request "*" (as bin) to every routing-table peer
 */
'use strict';

// ---- stdout belongs to the line protocol: send every console method to stderr -------------
const util = require('util');
for (const name of ['log', 'info', 'warn', 'debug', 'error', 'trace', 'dir']) {
    console[name] = (...args) => { process.stderr.write(util.format(...args) + '\n'); };
}

const net = require('net');
const readline = require('readline');

const driverErrors = [];   // exceptions caught by the driver itself (uncaught ones included)

function errText(err) {
    if (err instanceof Error) {
        return `${err.name}: ${err.message}`;
    }
    return String(err);
}

process.on('uncaughtException', (err) => {
    process.stderr.write(`[driver] uncaught exception: ${err && err.stack || err}\n`);
    driverErrors.push(`uncaught: ${errText(err)}`);
});
process.on('unhandledRejection', (err) => {
    process.stderr.write(`[driver] unhandled rejection: ${err && err.stack || err}\n`);
    driverErrors.push(`unhandled rejection: ${errText(err)}`);
});

function writeLine(obj) {
    process.stdout.write(JSON.stringify(obj) + '\n');
}

function ok(result) {
    return { ok: true, result: result === undefined ? null : result };
}

function fail(message) {
    return { ok: false, error: String(message) };
}

function startupFailure(message) {
    process.stdout.write(JSON.stringify(fail(message)) + '\n', () => process.exit(1));
    setTimeout(() => process.exit(1), 1000).unref();
}

// ---- options --------------------------------------------------------------------------------
function parseOptions(argv) {
    const opts = {
        host: '127.0.0.1', port: 4444, connect: [], subnet: null,
        transport: 'Plaintext', leasing: true, mesh: false, ttlS: 0,
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const needValue = () => {
            if (i + 1 >= argv.length) {
                throw new Error(`option ${a} needs a value`);
            }
            return argv[++i];
        };
        switch (a) {
            case '--host': opts.host = needValue(); break;
            case '--port': {
                const v = needValue();
                if (!/^\d+$/.test(v) || Number(v) > 65535) {
                    throw new Error(`bad port: ${v}`);
                }
                opts.port = Number(v);
                break;
            }
            case '--connect': {
                const v = needValue();
                const m = /^(.+):(\d+)$/.exec(v);
                if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
                    throw new Error(`bad --connect value (want HOST:PORT): ${v}`);
                }
                opts.connect.push([m[1], Number(m[2])]);
                break;
            }
            case '--subnet': opts.subnet = needValue(); break;
            case '--transport': {
                const v = needValue();
                if (v !== 'Plaintext' && v !== 'SSL') {
                    throw new Error(`bad transport (want Plaintext or SSL): ${v}`);
                }
                opts.transport = v;
                break;
            }
            case '--no-leasing': opts.leasing = false; break;
            case '--mesh': opts.mesh = true; break;
            case '--ttl-s': {
                const v = needValue();
                if (!/^\d+$/.test(v) || Number(v) < 1) {
                    throw new Error(`bad --ttl-s: ${v}`);
                }
                opts.ttlS = Number(v);
                break;
            }
            default: throw new Error(`unknown option: ${a}`);
        }
    }
    if (opts.subnet === null) {
        opts.subnet = opts.mesh ? 'mesh' : 'sync';
    }
    return opts;
}

function freePort(host) {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen(0, host, () => {
            const port = srv.address().port;
            srv.close(() => resolve(port));
        });
    });
}

// ---- JSON <-> js2p values ---------------------------------------------------------------------
function toJson(v) {
    if (v === undefined || v === null) {
        return null;
    }
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
        return { $bin: Buffer.from(v).toString('base64') };
    }
    if (Array.isArray(v)) {
        return v.map(toJson);
    }
    if (typeof v === 'object') {
        const out = {};
        for (const k of Object.keys(v)) {
            out[k] = toJson(v[k]);
        }
        return out;
    }
    return v;
}

function fromJson(v) {
    if (Array.isArray(v)) {
        return v.map(fromJson);
    }
    if (v !== null && typeof v === 'object') {
        const ks = Object.keys(v);
        if (ks.length === 1 && ks[0] === '$bin' && typeof v.$bin === 'string') {
            return Buffer.from(v.$bin, 'base64');
        }
        const out = {};
        for (const k of ks) {
            out[k] = fromJson(v[k]);
        }
        return out;
    }
    return v;
}

// ---- argument parsing ------------------------------------------------------------------------
// Returns [key, rest] where key is a string.
function takeKey(s) {
    s = s.replace(/^\s+/, '');
    if (s === '') {
        throw new Error('missing KEY');
    }
    if (s[0] === '"') {
        let i = 1;
        while (i < s.length && s[i] !== '"') {
            i += s[i] === '\\' ? 2 : 1;
        }
        if (i >= s.length) {
            throw new Error('unterminated JSON string KEY');
        }
        const key = JSON.parse(s.slice(0, i + 1));
        return [key, s.slice(i + 1)];
    }
    const m = /^(\S+)(.*)$/s.exec(s);
    return [m[1], m[2]];
}

function parseValue(rest) {
    const t = rest.trim();
    if (t === '') {
        throw new Error('missing VALUE');
    }
    try {
        return fromJson(JSON.parse(t));
    }
    catch (e) {
        throw new Error(`VALUE is not valid JSON: ${e.message}`);
    }
}

function noMore(rest, what) {
    if (rest.trim() !== '') {
        throw new Error(`unexpected text after ${what}: ${rest.trim()}`);
    }
}

// js2p turns every key into a Buffer and uses it as an object property name (UTF-8 text).
function propName(key) {
    return Buffer.from(key).toString();
}

const LEASE_TEXT = "You don't have permission to change this yet";

function leaseAware(err) {
    const t = errText(err);
    if (err && err.message === LEASE_TEXT) {
        return `lease refused: ${t}`;
    }
    return t;
}

// ---- benchmark keys and values (the same as bench/src/main/java/org/syncmesh/bench/Gen.java) ------
const KEY_LENGTH = 16;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function benchKey(prefix, i) {
    const n = String(i);
    const pad = KEY_LENGTH - prefix.length - n.length;
    if (pad < 0) {
        throw new Error(`key prefix too long for index ${i}: ${prefix}`);
    }
    return prefix + '0'.repeat(pad) + n;
}

// xorshift32 seeded by the index, 6 bits per character (int32 arithmetic, as in Java)
function benchValue(i, size) {
    let x = Math.imul(i, 0x9E3779B1) | 1;
    let out = '';
    for (let j = 0; j < size; j++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        out += ALPHABET[x & 63];
    }
    return out;
}

function benchArgs(rest, names) {
    const parts = rest.trim().split(/\s+/);
    if (parts.length !== names.length) {
        throw new Error(`usage: ${names.join(' ')}`);
    }
    return parts;
}

// ---- main ------------------------------------------------------------------------------------
async function main() {
    let opts;
    try {
        opts = parseOptions(process.argv.slice(2));
    }
    catch (e) {
        startupFailure(e.message);
        return;
    }

    let js2p;
    try {
        js2p = require('js2p');
    }
    catch (e) {
        startupFailure(`cannot load js2p (run npm ci in interop/js2p): ${errText(e)}`);
        return;
    }
    const base = js2p.base;

    let port = opts.port;
    if (port === 0) {
        try {
            port = await freePort(opts.host);
        }
        catch (e) {
            startupFailure(`cannot find a free port on ${opts.host}: ${errText(e)}`);
            return;
        }
    }

    let sock;
    try {
        const protocol = new base.Protocol(opts.subnet, opts.transport);
        if (opts.mesh) {
            sock = new js2p.mesh.MeshSocket(opts.host, port, protocol);
        }
        else {
            sock = new js2p.sync.SyncSocket(opts.host, port, protocol, opts.leasing);
        }
    }
    catch (e) {
        startupFailure(`cannot create js2p node: ${errText(e)}`);
        return;
    }

    // Every address the node is handed, recorded ahead of js2p's handlers (which it never claims).
    const advertised = [];
    function entry(e) {
        return Array.isArray(e) && Array.isArray(e[0]) && e[1] !== undefined && e[1] !== null
            ? [{ host: String(e[0][0]), port: Number(e[0][1]), id: e[1].toString() }] : [];
    }
    sock.__handlers.unshift(function record_advertised(msg) {
        const packets = msg.packets;
        if (packets[0] === base.flags.peers && Array.isArray(packets[1])) {
            advertised.push({ kind: 'peers', entries: [].concat(...packets[1].map(entry)) });
        }
        else if (packets[0] === base.flags.response) {
            advertised.push({ kind: 'response', entries: entry(packets[2]) });
        }
        return undefined;
    });

    try {
        await new Promise((resolve, reject) => {
            if (sock.incoming.listening) {
                resolve();
                return;
            }
            sock.incoming.once('listening', resolve);
            sock.incoming.once('error', reject);
        });
    }
    catch (e) {
        startupFailure(`cannot listen on ${opts.host}:${port}: ${errText(e)}`);
        return;
    }
    sock.incoming.on('error', (e) => {
        process.stderr.write(`[driver] listener error: ${e && e.stack || e}\n`);
        driverErrors.push(`listener: ${errText(e)}`);
    });
    const boundPort = sock.incoming.address().port;
    if (opts.ttlS > 0) {
        setTimeout(() => {
            process.stderr.write(`[driver] --ttl-s ${opts.ttlS} reached, exiting\n`);
            process.exit(3);
        }, opts.ttlS * 1000).unref();
    }

    for (const [h, p] of opts.connect) {
        try {
            const r = sock.connect(h, p);
            if (r !== undefined) {
                driverErrors.push(`--connect ${h}:${p}: js2p refused to connect (returned ${r})`);
            }
        }
        catch (e) {
            process.stderr.write(`[driver] --connect ${h}:${p} failed: ${e && e.stack || e}\n`);
            driverErrors.push(`--connect ${h}:${p}: ${errText(e)}`);
        }
    }

    writeLine(ok({ id: sock.id.toString(), host: opts.host, port: boundPort }));

    // update-event arrival recording
    let eventsOn = false;
    let arrivals = [];
    sock.on('update', (_conn, key) => {
        if (eventsOn) {
            arrivals.push({ key: key === undefined || key === null ? null : key.toString(),
                            t_ns: Number(process.hrtime.bigint()) });
        }
    });

    const isSync = !opts.mesh;
    function needSync() {
        if (!isSync) {
            throw new Error('not a sync node (started with --mesh)');
        }
    }

    let quitting = false;
    function quit() {
        if (quitting) {
            return;
        }
        quitting = true;
        setTimeout(() => process.exit(0), 3000).unref();
        try {
            sock.close();
        }
        catch (e) {
            process.stderr.write(`[driver] close failed: ${e && e.stack || e}\n`);
        }
        for (const conn of sock.awaiting_ids) {
            try {
                conn.sock.destroy();
            }
            catch (e) { /* closing anyway */ }
        }
        process.stdout.write('', () => process.exit(0));
    }

    const commands = {
        id(rest) {
            noMore(rest, 'id');
            return sock.id.toString();
        },
        connect(rest) {
            const parts = rest.trim().split(/\s+/);
            if (parts.length !== 2 || !/^\d+$/.test(parts[1])) {
                throw new Error('usage: connect HOST PORT');
            }
            const r = sock.connect(parts[0], Number(parts[1]));
            if (r !== undefined) {
                throw new Error('js2p refused to connect: its connect() returns early when the '
                    + 'target is itself, or when any routing-table peer already has the same '
                    + 'host or the same port');
            }
            return null;
        },
        peers(rest) {
            noMore(rest, 'peers');
            const out = [];
            for (const [id, conn] of sock.routing_table) {
                if (conn.addr && conn.addr[0] !== null && conn.addr[1] !== null) {
                    out.push({ id: id.toString(), host: String(conn.addr[0]), port: Number(conn.addr[1]) });
                }
            }
            return out;
        },
        set(rest) {
            needSync();
            const [key, r] = takeKey(rest);
            const value = parseValue(r);
            if (value === null) {
                return commands.del(JSON.stringify(key));
            }
            try {
                sock.set(key, value);
            }
            catch (e) {
                throw new Error(leaseAware(e));
            }
            return null;
        },
        get(rest) {
            needSync();
            const [key, r] = takeKey(rest);
            noMore(r, 'KEY');
            const k = propName(key);
            return Object.prototype.hasOwnProperty.call(sock.data, k) ? toJson(sock.data[k]) : null;
        },
        del(rest) {
            needSync();
            const [key, r] = takeKey(rest);
            noMore(r, 'KEY');
            try {
                sock.del(key);
            }
            catch (e) {
                throw new Error(leaseAware(e));
            }
            return null;
        },
        delta(rest) {
            needSync();
            const [key, r] = takeKey(rest);
            const obj = parseValue(r);
            if (obj === null || typeof obj !== 'object' || Array.isArray(obj) || Buffer.isBuffer(obj)) {
                throw new Error('delta needs a JSON object');
            }
            try {
                sock.apply_delta(key, obj);
            }
            catch (e) {
                throw new Error(leaseAware(e));
            }
            return null;
        },
        pop(rest) {
            needSync();
            const [key, r] = takeKey(rest);
            noMore(r, 'KEY');
            try {
                return toJson(sock.pop(key, null));
            }
            catch (e) {
                throw new Error(leaseAware(e));
            }
        },
        keys(rest) {
            needSync();
            noMore(rest, 'keys');
            return Object.keys(sock.data);
        },
        items(rest) {
            needSync();
            noMore(rest, 'items');
            const out = {};
            for (const k of Object.keys(sock.data)) {
                out[k] = toJson(sock.data[k]);
            }
            return out;
        },
        meta(rest) {
            needSync();
            const [key, r] = takeKey(rest);
            noMore(r, 'KEY');
            const k = propName(key);
            if (!Object.prototype.hasOwnProperty.call(sock.metadata, k)) {
                return null;
            }
            const m = sock.metadata[k];
            return { owner: m.owner === null || m.owner === undefined ? null : m.owner.toString(),
                     timestamp: Number(m.timestamp) };
        },
        send(rest) {
            const packets = parseValue(rest);
            if (!Array.isArray(packets)) {
                throw new Error('send needs a JSON array of packets');
            }
            sock.send(packets);
            return null;
        },
        recv(rest) {
            noMore(rest, 'recv');
            const out = [];
            while (sock.queue.length) {
                const msg = sock.recv();
                out.push({ sender: msg.sender === null || msg.sender === undefined ? null : msg.sender.toString(),
                           packets: msg.packets.slice(1).map(toJson) });
            }
            return out;
        },
        status(rest) {
            noMore(rest, 'status');
            const st = sock.status;
            const errs = [];
            if (st !== 'Nominal') {
                for (const e of st) {
                    errs.push(`js2p: ${errText(e)}`);
                }
            }
            errs.push(...driverErrors);
            return errs.length ? errs : 'Nominal';
        },
        quit(rest) {
            noMore(rest, 'quit');
            return null;
        },
        count(rest) {
            needSync();
            noMore(rest, 'count');
            return Object.keys(sock.data).length;
        },
        async waitkeys(rest) {
            needSync();
            const parts = rest.trim().split(/\s+/);
            if (parts.length !== 2 || !/^\d+$/.test(parts[0]) || !/^\d+$/.test(parts[1])) {
                throw new Error('usage: waitkeys N TIMEOUT_MS');
            }
            const n = Number(parts[0]);
            const timeout = Number(parts[1]);
            const t0 = process.hrtime.bigint();
            const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e6;
            for (;;) {
                const c = Object.keys(sock.data).length;
                if (c >= n) {
                    return { count: c, elapsed_ms: elapsed() };
                }
                if (elapsed() >= timeout) {
                    throw new Error(`timeout after ${timeout} ms: ${c} of ${n} keys`);
                }
                await new Promise((res) => setTimeout(res, 2));
            }
        },
        events(rest) {
            const v = rest.trim();
            if (v !== 'on' && v !== 'off') {
                throw new Error('usage: events on|off');
            }
            eventsOn = v === 'on';
            return null;
        },
        arrivals(rest) {
            noMore(rest, 'arrivals');
            const out = arrivals;
            arrivals = [];
            return out;
        },
        advertised(rest) {
            noMore(rest, 'advertised');
            return advertised;
        },
        askpeers(rest) {
            noMore(rest, 'askpeers');
            sock.send([Buffer.from('*')], base.flags.whisper, base.flags.request);
            return null;
        },
        async bulkset(rest) {
            needSync();
            const [nS, prefix, sizeS] = benchArgs(rest, ['N', 'PREFIX', 'VALUESIZE']);
            const n = Number(nS);
            const size = Number(sizeS);
            if (!Number.isInteger(n) || n < 0 || !Number.isInteger(size) || size < 0) {
                throw new Error('usage: bulkset N PREFIX VALUESIZE');
            }
            const t0 = process.hrtime.bigint();
            for (let i = 0; i < n; i++) {
                sock.set(benchKey(prefix, i), benchValue(i, size));
                if (i % 50 === 49) {
                    await new Promise((res) => setImmediate(res));
                }
            }
            const t1 = process.hrtime.bigint();
            return { n, t0_ns: Number(t0), t1_ns: Number(t1) };
        },
        async paceset(rest) {
            needSync();
            const [nS, intervalS, prefix, sizeS] = benchArgs(rest, ['N', 'INTERVAL_MS', 'PREFIX', 'VALUESIZE']);
            const n = Number(nS);
            const interval = Number(intervalS);
            const size = Number(sizeS);
            if (!Number.isInteger(n) || n < 0 || !(interval >= 0) || !Number.isInteger(size) || size < 0) {
                throw new Error('usage: paceset N INTERVAL_MS PREFIX VALUESIZE');
            }
            const sends = new Array(n);
            const t0 = process.hrtime.bigint();
            const intervalNs = BigInt(Math.round(interval * 1e6));
            for (let i = 0; i < n; i++) {
                const k = benchKey(prefix, i);
                const v = benchValue(i, size);
                const due = t0 + BigInt(i) * intervalNs;
                for (;;) {
                    const left = Number(due - process.hrtime.bigint()) / 1e6;
                    if (left <= 0) {
                        break;
                    }
                    if (left > 1.5) {
                        await new Promise((res) => setTimeout(res, Math.floor(left - 1)));
                    }
                    else {
                        await new Promise((res) => setImmediate(res));
                    }
                }
                sends[i] = Number(process.hrtime.bigint());
                sock.set(k, v);
            }
            return { n, t0_ns: Number(t0), sends };
        },
    };

    async function handle(line) {
        const m = /^\s*(\S*)(.*)$/s.exec(line);
        const cmd = m[1];
        if (cmd === '') {
            return fail('empty command');
        }
        if (!Object.prototype.hasOwnProperty.call(commands, cmd)) {
            return fail(`unknown command: ${cmd}`);
        }
        try {
            return ok(await commands[cmd](m[2]));
        }
        catch (e) {
            return fail(e instanceof Error ? e.message : String(e));
        }
    }

    // Commands run strictly one after another (waitkeys is asynchronous).
    const pending = [];
    let busy = false;
    let inputClosed = false;
    async function pump() {
        if (busy) {
            return;
        }
        busy = true;
        while (pending.length && !quitting) {
            const line = pending.shift();
            const reply = await handle(line);
            writeLine(reply);
            if (reply.ok && /^\s*quit\s*$/.test(line)) {
                quit();
            }
        }
        busy = false;
        if (inputClosed && !pending.length) {
            quit();
        }
    }

    const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
    rl.on('line', (line) => {
        pending.push(line.replace(/\r$/, ''));
        pump();
    });
    rl.on('close', () => {
        inputClosed = true;
        pump();
    });
}

main().catch((e) => {
    startupFailure(`driver failure: ${errText(e)}`);
});
