package org.epost.imap.api;

import java.net.InetSocketAddress;

/**
 * A running IMAP server. Closing it stops accepting, closes every connection and frees its threads.
 */
public interface ImapServer extends AutoCloseable {

  /** The bound address (useful with port 0). */
  InetSocketAddress localAddress();

  @Override
  void close();
}
