package org.epost.imap.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.BodyPart;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.SubjectTerm;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.epost.imap.fixture.TestServer;
import org.epost.imap.server.TranscriptTest;
import org.junit.jupiter.api.Test;

/** Angus Mail (the Jakarta Mail implementation) as a Java mail client would use it. */
class AngusMailClientTest {

  private static Store connect(TestServer t, String password) throws Exception {
    Properties p = new Properties();
    p.put("mail.imap.host", "127.0.0.1");
    p.put("mail.imap.port", String.valueOf(t.port()));
    p.put("mail.imap.connectiontimeout", "10000");
    p.put("mail.imap.timeout", "10000");
    p.put("mail.debug", System.getProperty("angus.debug", "false"));
    Store store = Session.getInstance(p).getStore("imap");
    store.connect(TestServer.USER, password);
    return store;
  }

  @Test
  void readsMultipartMessagesSetsFlagsMovesAndAppends() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seedMessages(t);
      Store store = connect(t, TestServer.PASSWORD);
      IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
      inbox.open(Folder.READ_WRITE);
      assertEquals(2, inbox.getMessageCount());
      Message first = inbox.getMessage(1);
      assertEquals("Hello there", first.getSubject());
      assertEquals("bob@example.org", ((InternetAddress) first.getFrom()[0]).getAddress());
      assertEquals("First body line\r\nsecond\r\n", first.getContent());

      Message report = inbox.getMessage(2);
      Multipart mp = (Multipart) report.getContent();
      assertEquals(2, mp.getCount());
      BodyPart attachment = mp.getBodyPart(1);
      assertEquals("r.pdf", attachment.getFileName());
      byte[] pdf = attachment.getInputStream().readAllBytes();
      assertEquals("%PDF-1.4\n", new String(pdf, java.nio.charset.StandardCharsets.ISO_8859_1));

      report.setFlag(Flags.Flag.FLAGGED, true);
      assertTrue(t.backend.flags(TestServer.USER, "INBOX", 2).contains("\\Flagged"));

      Message[] found = inbox.search(new SubjectTerm("report"));
      assertEquals(1, found.length);
      assertEquals(2, found[0].getMessageNumber());

      t.deliver("INBOX", TestServer.message("Arrived later", "Eve <eve@example.org>", "new"));
      inbox.doCommand(
          protocol -> {
            protocol.simpleCommand("NOOP", null);
            return null;
          });
      assertEquals(3, inbox.getMessageCount());
      assertEquals("Arrived later", inbox.getMessage(3).getSubject());

      Folder archive = store.getFolder("Archive/2024");
      assertTrue(archive.create(Folder.HOLDS_MESSAGES));
      inbox.moveMessages(new Message[] {first}, archive);
      assertTrue(first.isExpunged());
      assertEquals(2, store.getFolder("INBOX").getMessageCount());
      assertEquals(List.of(1L), t.backend.uids(TestServer.USER, "Archive/2024"));

      MimeMessage draft = new MimeMessage(Session.getInstance(new Properties()));
      draft.setSubject("Draft from Java");
      draft.setText("unfinished");
      Folder drafts = store.getFolder("Drafts");
      drafts.appendMessages(new Message[] {draft});
      drafts.open(Folder.READ_ONLY);
      assertEquals("Draft from Java", drafts.getMessage(1).getSubject());
      drafts.close(false);

      inbox.close(true);
      store.close();
    }
  }

  @Test
  void wrongPasswordIsRefused() throws Exception {
    try (TestServer t = new TestServer()) {
      assertThrows(AuthenticationFailedException.class, () -> connect(t, "not-the-password"));
      Store ok = connect(t, TestServer.PASSWORD);
      assertTrue(ok.isConnected());
      ok.close();
      assertFalse(ok.isConnected());
    }
  }
}
