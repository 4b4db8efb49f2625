import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * A real SMTP server on a free loopback port (the `smtp-server` package), for
 * tests that send email: every message it accepts is parsed (`mailparser`)
 * and kept with the envelope's recipients. `refuse(n)` makes it answer the
 * next n messages with a 451 temporary failure, to exercise retries.
 */
export type ReceivedMail = { to: string[]; mail: ParsedMail };

export type SmtpReceiver = {
  url: string;
  received: ReceivedMail[];
  refuse: (messages: number) => void;
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor: (count: number, timeoutMs?: number) => Promise<ReceivedMail[]>;
  /** The first message to `address` (whose subject matches, when given), waiting up to `timeoutMs` for it. */
  waitForMailTo: (address: string, subject?: RegExp, timeoutMs?: number) => Promise<ReceivedMail>;
  close: () => Promise<void>;
};

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const received: ReceivedMail[] = [];
  let refusals = 0;
  const waiters: Array<() => void> = [];
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
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          for (const wake of waiters.splice(0)) wake();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  // A portal stopped mid-delivery resets its connection; smtp-server reports that as a server error, which
  // unhandled would crash the test process. The message was not accepted, so the portal retries it.
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse: (messages) => {
      refusals = messages;
    },
    waitFor: async (count, timeoutMs = 15_000) => {
      const until = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} emails, got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return received;
    },
    waitForMailTo: async (address, subject, timeoutMs = 15_000) => {
      const until = Date.now() + timeoutMs;
      const match = () => received.find((r) => r.to.includes(address) && (!subject || subject.test(r.mail.subject ?? "")));
      for (let found = match(); ; found = match()) {
        if (found) return found;
        if (Date.now() > until) throw new Error(`no email to ${address}${subject ? ` matching ${subject}` : ""} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
