/**
 * The port through which the core sends mail (password reset and verification links). The
 * server's adapter (server/mailer.ts) speaks SMTP, or writes the link to the log without one.
 */

/** One plain-text mail, with an optional HTML body. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends mail; rejects when the mail could not be handed over. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** A mailer that drops every mail: for a core built without one (tests, the CLI). */
export const noMailer: Mailer = {
  send: () => Promise.resolve(),
};
