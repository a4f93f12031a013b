/**
 * Strict JSON and its mapping to the msgpack values of the dictionary, on jackson-core's streaming
 * API: the node command's line protocol and {@link org.syncmesh.sync.Codecs#json()} share it.
 * Internal: the module does not export this package, and jackson-core is an optional dependency
 * of the library, needed only by what uses it.
 */
@NullMarked
package org.syncmesh.json;

import org.jspecify.annotations.NullMarked;
