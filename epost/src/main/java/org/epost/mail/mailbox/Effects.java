package org.epost.mail.mailbox;

import java.util.ArrayList;
import java.util.List;
import org.epost.imap.api.MailboxListener;
import org.epost.mail.api.StoredMail;
import org.epost.post.api.MessageRef;

/**
 * What applying operations asks of the world, collected under the account's lock and carried out
 * after it is released: lease holds and releases (on the loop), watchers to tell (on the account's
 * executor).
 */
final class Effects {
  record Change(String folderId, MailboxListener.Change change) {}

  final List<StoredMail> holds = new ArrayList<>();
  final List<MessageRef> releases = new ArrayList<>();
  final List<Change> changes = new ArrayList<>();

  void changed(String folderId, MailboxListener.Change c) {
    Change ch = new Change(folderId, c);
    if (!changes.contains(ch)) {
      changes.add(ch);
    }
  }
}
