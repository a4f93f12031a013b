#!/usr/bin/env node
// The js2p side of the WithJs2p example: a js2p 0.7.870 sync socket that joins a Java node,
// sets "from-js2p", prints every key it receives, and exits (status 0) once it holds both
// "from-java" and its own key. Usage: node examples/js2p/peer.js JAVA_PORT
// js2p comes from the interop driver's install: npm ci --prefix interop/js2p
'use strict';
const net = require('net');
const path = require('path');

// js2p prints diagnostics with console.log: keep them on standard error, out of our output.
console.log = console.info = (...args) => process.stderr.write(args.join(' ') + '\n');

const javaPort = Number(process.argv[2]);
if (!(javaPort >= 1 && javaPort <= 65535)) {
    process.stderr.write('usage: node peer.js JAVA_PORT\n');
    process.exit(2);
}
const js2p = require(path.join(__dirname, '..', '..', 'interop', 'js2p', 'node_modules', 'js2p'));

// js2p given port 0 would advertise port 0 and derive its id from it: take a free port first.
const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const port = probe.address().port;
    probe.close(() => start(port));
});

function start(port) {
    // Subnet "sync" and leasing on, as the Java node's defaults: js2p appends the leasing digit
    // itself ("sync1"), as syncmesh does, so both speak protocol "sync1" over Plaintext.
    const sock = new js2p.sync.SyncSocket('127.0.0.1', port, new js2p.base.Protocol('sync', 'Plaintext'), true);
    const done = () => sock.data['from-java'] !== undefined && sock.data['from-js2p'] !== undefined;
    let exiting = false;
    sock.on('update', (_sock, key, value) => {
        if (key.toString() !== 'from-js2p') {           // js2p hears its own writes too
            process.stdout.write(`js2p received ${key} = ${value}\n`);
        }
        if (done() && !exiting) {
            exiting = true;
            process.stdout.write('js2p holds from-java and from-js2p\n', () => {
                sock.close();
                process.exit(0);
            });
        }
    });
    // Set before connecting: js2p sends its whole dictionary to each peer it shakes hands with,
    // and the Java node does the same, so neither side depends on when the link comes up.
    sock.set('from-js2p', 'hello from js2p');
    sock.connect('127.0.0.1', javaPort);
}
