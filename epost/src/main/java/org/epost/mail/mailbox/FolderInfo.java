package org.epost.mail.mailbox;

/**
 * A folder as the account lists it.
 *
 * @param name the full name ('/' between levels; INBOX is {@code "INBOX"})
 * @param specialUse the RFC 6154 attribute without backslash ("Sent", "Drafts", "Trash", "Junk",
 *     "Archive") or "" for none
 * @param uidValidity the folder's UIDVALIDITY
 */
public record FolderInfo(String name, String specialUse, long uidValidity) {}
