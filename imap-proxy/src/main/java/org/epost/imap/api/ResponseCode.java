package org.epost.imap.api;

/** IMAP response codes (RFC 3501, RFC 5530) a backend failure maps to. */
public enum ResponseCode {
  TRYCREATE,
  NONEXISTENT,
  ALREADYEXISTS,
  CANNOT,
  NOPERM,
  INUSE,
  LIMIT,
  OVERQUOTA,
  UNAVAILABLE,
  SERVERBUG,
  AUTHENTICATIONFAILED;
}
