package org.epost.mail.imap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.epost.imap.api.AppendResult;
import org.epost.imap.api.BackendException;
import org.epost.imap.api.CopyResult;
import org.epost.imap.api.FlagUpdate;
import org.epost.imap.api.MailboxChanges;
import org.epost.imap.api.MailboxInfo;
import org.epost.imap.api.MailboxListener;
import org.epost.imap.api.MailboxSnapshot;
import org.epost.imap.api.NewMessage;
import org.epost.imap.api.Registration;
import org.epost.imap.api.ResponseCode;
import org.epost.imap.api.SpecialUse;
import org.epost.imap.api.StoreResult;
import org.epost.imap.api.TextSearch;
import org.epost.imap.api.UserSession;
import org.epost.imap.mime.MimePart;
import org.epost.mail.api.MailException;
import org.epost.mail.api.StoredMail;
import org.epost.mail.mailbox.FolderInfo;
import org.epost.mail.mailbox.FolderView;
import org.epost.mail.mailbox.PostAccount;
import org.epost.mail.message.MessageLayout;
import org.epost.mail.message.StructurePrefix;

/**
 * The IMAP proxy's view of a {@link PostAccount} for one connection. Blocking, as {@link
 * UserSession} says: each call waits for the account's stage with the account's call timeout (an
 * interrupt from the server's backend-timeout alarm ends the wait). Listings, flags and structures
 * come from memory and the metadata index; body reads come from the account's encrypted cache of
 * recent mail, else the ring; SEARCH BODY and TEXT are answered by the account's full-text index
 * ({@link TextSearch}), the server reading only what it cannot decide.
 */
public final class AccountSession implements UserSession, TextSearch {
  private final PostAccount account;
  private final List<Registration> registrations = new ArrayList<>();

  private AccountSession(PostAccount account) {
    this.account = account;
  }

  /** A session on {@code account}. */
  public static UserSession of(PostAccount account) {
    return new AccountSession(account);
  }

  /** The IMAP response code for a mail failure. */
  static BackendException toBackend(MailException e, boolean targetMissingIsTryCreate) {
    ResponseCode code =
        switch (e.kind()) {
          case NONEXISTENT ->
              targetMissingIsTryCreate ? ResponseCode.TRYCREATE : ResponseCode.NONEXISTENT;
          case ALREADY_EXISTS -> ResponseCode.ALREADYEXISTS;
          case CANNOT, CORRUPT -> ResponseCode.CANNOT;
          case LIMIT -> ResponseCode.LIMIT;
          case UNAVAILABLE, CLOSED -> ResponseCode.UNAVAILABLE;
        };
    return new BackendException(code, e.getMessage(), e);
  }

  private <T> T run(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (MailException e) {
      throw toBackend(e, false);
    }
  }

  @Override
  public char hierarchyDelimiter() {
    return '/';
  }

  @Override
  public List<MailboxInfo> listMailboxes() {
    return run(
        () -> {
          Set<String> subscribed = account.subscriptions();
          Map<String, MailboxInfo> out = new LinkedHashMap<>();
          List<FolderInfo> folders = account.folders();
          for (FolderInfo f : folders) {
            out.put(
                f.name(),
                new MailboxInfo(
                    f.name(), specialUse(f.specialUse()), true, subscribed.contains(f.name())));
          }
          for (FolderInfo f : folders) {
            String n = f.name();
            int slash;
            while ((slash = n.lastIndexOf('/')) > 0) {
              n = n.substring(0, slash);
              out.putIfAbsent(
                  n, new MailboxInfo(n, Optional.empty(), false, subscribed.contains(n)));
            }
          }
          return List.copyOf(out.values());
        });
  }

  static Optional<SpecialUse> specialUse(String s) {
    return switch (s) {
      case "Sent" -> Optional.of(SpecialUse.SENT);
      case "Drafts" -> Optional.of(SpecialUse.DRAFTS);
      case "Trash" -> Optional.of(SpecialUse.TRASH);
      case "Junk" -> Optional.of(SpecialUse.JUNK);
      case "Archive" -> Optional.of(SpecialUse.ARCHIVE);
      default -> Optional.empty();
    };
  }

  @Override
  public void createMailbox(String name) {
    run(() -> account.await(account.createFolder(name)));
  }

  @Override
  public void deleteMailbox(String name) {
    run(() -> account.await(account.deleteFolder(name)));
  }

  @Override
  public void renameMailbox(String from, String to) {
    run(() -> account.await(account.renameFolder(from, to)));
  }

  @Override
  public void setSubscribed(String name, boolean subscribed) {
    run(() -> account.await(account.subscribe(name, subscribed)));
  }

  @Override
  public MailboxSnapshot snapshot(String mailbox) {
    return run(
        () -> {
          FolderView v = account.view(mailbox);
          return new MailboxSnapshot(
              v.uidValidity(),
              v.uidNext(),
              v.highestModSeq(),
              v.messages(),
              false,
              v.firstUnseen(),
              v.keywords());
        });
  }

  @Override
  public MailboxChanges changesSince(String mailbox, long modSeq) {
    return run(() -> account.changesSince(mailbox, modSeq));
  }

  @Override
  public Map<Long, MimePart> structures(String mailbox, Collection<Long> uids) {
    return run(
        () -> {
          List<PostAccount.Message> messages = account.messages(mailbox, uids);
          Map<StoredMail, CompletableFuture<MessageLayout>> layouts = new HashMap<>();
          for (PostAccount.Message m : messages) {
            layouts.computeIfAbsent(m.mail(), k -> account.layout(k).toCompletableFuture());
          }
          Map<Long, MimePart> out = new HashMap<>();
          for (PostAccount.Message m : messages) {
            MessageLayout layout = account.await(layouts.get(m.mail()));
            out.put(m.uid(), StructurePrefix.apply(layout.mimeStructure(), m.addedHeader()));
          }
          return out;
        });
  }

  @Override
  public InputStream read(String mailbox, long uid, long offset, long length) {
    return run(
        () -> {
          List<PostAccount.Message> m = account.messages(mailbox, List.of(uid));
          if (m.isEmpty()) {
            throw new MailException(MailException.Kind.NONEXISTENT, "no message " + uid);
          }
          try {
            return account.read(m.get(0), offset, length);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  @Override
  public Hits searchText(String mailbox, String needle, boolean includeHeader) {
    return run(() -> account.searchText(mailbox, needle, includeHeader));
  }

  @Override
  public AppendResult append(String mailbox, List<NewMessage> messages) {
    try {
      // only the folder's UIDVALIDITY: nothing of its messages is held while the store runs
      long uidValidity = account.uidValidity(mailbox);
      List<PostAccount.Filing> filings = new ArrayList<>();
      for (NewMessage m : messages) {
        StoredMail stored = account.await(account.store(m.content()));
        long date =
            m.internalDate() == null ? System.currentTimeMillis() : m.internalDate().toEpochMilli();
        filings.add(new PostAccount.Filing(stored, new byte[0], m.flags(), date));
      }
      List<Long> uids = account.await(account.fileAll(mailbox, filings));
      return new AppendResult(uidValidity, uids);
    } catch (MailException e) {
      throw toBackend(e, true);
    }
  }

  @Override
  public StoreResult storeFlags(
      String mailbox,
      Collection<Long> uids,
      FlagUpdate update,
      Set<String> flags,
      long unchangedSince) {
    int mode =
        switch (update) {
          case ADD -> 0;
          case REMOVE -> 1;
          case REPLACE -> 2;
        };
    return run(
        () -> {
          PostAccount.FlagResult r =
              account.await(account.storeFlags(mailbox, uids, mode, flags, unchangedSince));
          return new StoreResult(r.records(), new ArrayList<>(new TreeSet<>(r.modified())));
        });
  }

  @Override
  public CopyResult copy(String from, Collection<Long> uids, String to) {
    try {
      PostAccount.Copied c = account.await(account.copy(from, uids, to));
      return new CopyResult(c.targetUidValidity(), c.sourceUids(), c.targetUids());
    } catch (MailException e) {
      throw toBackend(e, e.getMessage().contains(to));
    }
  }

  @Override
  public CopyResult move(String from, Collection<Long> uids, String to) {
    try {
      PostAccount.Copied c = account.await(account.move(from, uids, to));
      return new CopyResult(c.targetUidValidity(), c.sourceUids(), c.targetUids());
    } catch (MailException e) {
      throw toBackend(e, e.getMessage().contains(to));
    }
  }

  @Override
  public List<Long> expunge(String mailbox, Collection<Long> uids) {
    return run(() -> account.await(account.expunge(mailbox, uids)));
  }

  @Override
  public Registration watch(String mailbox, MailboxListener listener) {
    Registration r = run(() -> account.watch(mailbox, listener));
    synchronized (registrations) {
      registrations.add(r);
    }
    return r;
  }

  @Override
  public void close() {
    synchronized (registrations) {
      for (Registration r : registrations) {
        r.close();
      }
      registrations.clear();
    }
  }
}
