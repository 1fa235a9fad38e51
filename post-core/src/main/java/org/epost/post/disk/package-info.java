/**
 * Crash-safe files for the POST services' node-local state (ADR 0107): {@link
 * org.epost.post.disk.Journal}, an append-only record file with a checksum per record, group commit
 * and compaction by atomic rewrite, on which the disk-backed pending store, notification state,
 * lease ledger and directory state are built. Blocking I/O runs only on the executor the node
 * injects (its disk thread); stages complete on the node's loop.
 */
package org.epost.post.disk;
