/**
 * The canonical binary encoding used for everything this project signs or seals.
 *
 * <pre>
 * object  := context version field*
 * context := varint(length) ascii-bytes        e.g. "epost/user-certificate"
 * version := u8                                 only versions the reader knows are accepted
 * field   := tag(u8) varint(length) value       tags strictly increasing, each read exactly once
 * varint  := unsigned LEB128, minimal form (no redundant 0x80 continuation bytes), at most 4 bytes
 * </pre>
 *
 * <p>Integers are fixed-width big-endian inside a field of the exact width, so there is one
 * encoding per value. The reader is driven by a schema in code: it rejects a missing field, an
 * unexpected tag, a wrong fixed length, an over-long value, a non-minimal varint and trailing
 * bytes, always with {@link org.epost.crypto.api.CryptoFormatException}. The context string is part
 * of the encoded (and therefore signed) bytes, so a signature over one object type can never be
 * replayed as another type.
 *
 * <p>Classes here are not thread-safe; use one writer or reader per encoding.
 */
package org.epost.crypto.encoding;
