/**
 * The email application's contracts between its parts: an account's mail on POST ({@link
 * org.epost.mail.api.MailAccount}), a stored message as it is handed between users ({@link
 * org.epost.mail.api.StoredMail}), what an account is built on ({@link
 * org.epost.mail.api.AccountServices}) and the failures ({@link org.epost.mail.api.MailException}).
 */
package org.epost.mail.api;
