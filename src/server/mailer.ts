/**
 * The server's `Mailer`: SMTP through nodemailer when TESSERA_SMTP_URL is set, otherwise the
 * server log (a development setup still gets its reset and verification links). A send that
 * fails is logged here and rejects; the core never lets that fail or slow down a request.
 */
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import type { Mailer, MailMessage } from '../core/accounts/mailer.js';

/** What the mailer logs with (a pino logger fits). */
export interface MailLog {
  warn(facts: object, message: string): void;
  error(facts: object, message: string): void;
}

/** Builds the mailer the configuration names. */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>, log: MailLog): Mailer {
  if (config.smtpUrl === undefined) return logMailer(log);
  // smtps:// is TLS from the first byte; smtp:// upgrades with STARTTLS when the server offers it.
  const transport = nodemailer.createTransport(config.smtpUrl);
  return {
    async send(message: MailMessage) {
      try {
        await transport.sendMail({ from: config.mailFrom, ...message });
      } catch (error) {
        // The recipient is personal data and the body holds a live link: neither is logged.
        log.error({ err: error, subject: message.subject }, 'mail could not be sent');
        throw error;
      }
    },
  };
}

/** Without SMTP: each mail's text, link included, goes to the log for whoever runs the server. */
function logMailer(log: MailLog): Mailer {
  return {
    send(message: MailMessage) {
      log.warn(
        { mail: { to: message.to, subject: message.subject, text: message.text } },
        'TESSERA_SMTP_URL is not set: this mail was written to the log instead of sent',
      );
      return Promise.resolve();
    },
  };
}
