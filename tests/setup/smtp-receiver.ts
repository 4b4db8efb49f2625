import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * A real SMTP server on a free loopback port (the `smtp-server` package), for
 * tests that send email: every message it accepts is parsed (`mailparser`)
 * and kept with the envelope's recipients. `refuse(n)` makes it answer the
 * next n messages with a 451 temporary failure, to exercise retries.
 * `hold()` keeps the answer to each message from then on (the message is
 * received and kept, but the sender hears nothing) until `release()`: a
 * delivery in flight, to kill the sender during (RFC 1047's duplicate case).
 */
export type ReceivedMail = { to: string[]; mail: ParsedMail };

export type SmtpReceiver = {
  url: string;
  received: ReceivedMail[];
  refuse: (messages: number) => void;
  /** From now on, keep each message but hold its answer until `release()`. */
  hold: () => void;
  /** Answers every held message (250) and stops holding. */
  release: () => void;
  /** The messages whose answer is held now. */
  held: () => ReceivedMail[];
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor: (count: number, timeoutMs?: number) => Promise<ReceivedMail[]>;
  /** The first message to `address` (whose subject matches, when given), waiting up to `timeoutMs` for it. */
  waitForMailTo: (address: string, subject?: RegExp, timeoutMs?: number) => Promise<ReceivedMail>;
  close: () => Promise<void>;
};

/** A received email as `saveTo` keeps it: one JSON file per message, for a process other than the receiver's to read. */
export type SavedMail = { to: string[]; subject: string; messageId: string; text: string; html: string };

export async function startSmtpReceiver({
  port = 0,
  saveTo,
}: {
  /** The port to listen on (0: a free one). */
  port?: number;
  /** A directory to write each received message into as JSON (Playwright's specs run in other processes than its global setup). */
  saveTo?: string;
} = {}): Promise<SmtpReceiver> {
  if (saveTo) fs.mkdirSync(saveTo, { recursive: true });
  const received: ReceivedMail[] = [];
  let refusals = 0;
  let holding = false;
  const held: Array<{ mail: ReceivedMail; answer: () => void }> = [];
  const waiters: Array<() => void> = [];
  /** Polls `found` until it gives a value, waking at each message, or throws `failure()` after `timeoutMs`. */
  const waitUntil = async <T>(found: () => T | undefined, timeoutMs: number, failure: () => string): Promise<T> => {
    const until = Date.now() + timeoutMs;
    for (let value = found(); ; value = found()) {
      if (value !== undefined) return value;
      if (Date.now() > until) throw new Error(failure());
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      if (refusals > 0) {
        refusals--;
        stream.resume();
        stream.on("end", () => callback(Object.assign(new Error("Try again later"), { responseCode: 451 })));
        return;
      }
      simpleParser(stream)
        .then((mail) => {
          const entry = { to: session.envelope.rcptTo.map((r) => r.address), mail };
          received.push(entry);
          if (saveTo) saveMail(saveTo, received.length, entry);
          if (holding) held.push({ mail: entry, answer: () => callback() });
          for (const wake of waiters.splice(0)) wake();
          if (!holding) callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  // A portal stopped mid-delivery resets its connection; smtp-server reports that as a server error, which
  // unhandled would crash the test process. The message was not accepted, so the portal retries it.
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: listening } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${listening}`,
    received,
    refuse: (messages) => {
      refusals = messages;
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      // An answer on a connection the sender dropped goes nowhere; smtp-server's error is swallowed above.
      for (const { answer } of held.splice(0)) answer();
    },
    held: () => held.map((h) => h.mail),
    waitFor: (count, timeoutMs = 15_000) =>
      waitUntil(
        () => (received.length >= count ? received : undefined),
        timeoutMs,
        () => `expected ${count} emails, got ${received.length}`,
      ),
    waitForMailTo: (address, subject, timeoutMs = 15_000) =>
      waitUntil(
        () => received.find((r) => r.to.includes(address) && (!subject || subject.test(r.mail.subject ?? ""))),
        timeoutMs,
        () => `no email to ${address}${subject ? ` matching ${subject}` : ""} within ${timeoutMs} ms`,
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function saveMail(directory: string, sequence: number, { to, mail }: ReceivedMail): void {
  const saved: SavedMail = {
    to,
    subject: mail.subject ?? "",
    messageId: mail.messageId ?? "",
    text: mail.text ?? "",
    html: typeof mail.html === "string" ? mail.html : "",
  };
  const file = path.join(directory, `${String(sequence).padStart(6, "0")}-${process.pid}.json`);
  // Written whole, then renamed: a reader never sees half a message.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(saved));
  fs.renameSync(`${file}.tmp`, file);
}

/** The first message saved in `directory` (by `saveTo`) to `address` whose subject matches, waiting up to `timeoutMs` for it. */
export async function waitForSavedMail(directory: string, address: string, subject: RegExp, timeoutMs = 20_000): Promise<SavedMail> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const files = fs.existsSync(directory)
      ? fs
          .readdirSync(directory)
          .filter((f) => f.endsWith(".json"))
          .sort()
      : [];
    for (const file of files) {
      const mail = JSON.parse(fs.readFileSync(path.join(directory, file), "utf8")) as SavedMail;
      if (mail.to.includes(address) && subject.test(mail.subject)) return mail;
    }
    if (Date.now() > until) throw new Error(`no email to ${address} matching ${subject} in ${directory} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
