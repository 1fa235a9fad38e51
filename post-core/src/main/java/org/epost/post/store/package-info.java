/**
 * The single-copy message store (ADR 0100, ADR 0101): messages as trees of convergently encrypted
 * blocks of at most 48 KiB on PAST, a streaming writer and ranged reader with bounded memory, and
 * leases renewed from each node's lease ledger. Start with {@link
 * org.epost.post.store.MessageStores#create}; the contract is {@link
 * org.epost.post.api.MessageStore}.
 */
package org.epost.post.store;
