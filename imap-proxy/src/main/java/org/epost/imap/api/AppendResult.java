package org.epost.imap.api;

/** Where an appended message was stored (for the UIDPLUS {@code APPENDUID} code). */
public record AppendResult(long uidValidity, long uid) {}
