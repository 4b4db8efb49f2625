import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/**
 * A real HTTP receiver on a free loopback port for webhook tests. It keeps
 * every raw receipt (headers and body as received) and verifies each with
 * the `standardwebhooks` verifier under the secret it is given. `failNext(n)`
 * answers the next n requests with 500, to force retries. `hold()` keeps
 * the answer to each request from then on (the receipt is kept, the sender
 * waits) until `release()`: a delivery in flight, to kill the sender during.
 */
export type WebhookReceipt = { id: string; headers: http.IncomingHttpHeaders; body: string; verified: boolean; answered: number };

export type WebhookReceiver = {
  url: string;
  receipts: WebhookReceipt[];
  /** The secret receipts are verified with (set it once the endpoint is registered). */
  useSecret: (secret: string) => void;
  failNext: (requests: number) => void;
  /** From now on, keep each receipt but hold its answer until `release()`. */
  hold: () => void;
  /** Answers every held request and stops holding. */
  release: () => void;
  /** The receipts whose answer is held now. */
  held: () => WebhookReceipt[];
  close: () => Promise<void>;
};

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receipts: WebhookReceipt[] = [];
  let secret: string | undefined;
  let failures = 0;
  let holding = false;
  const held: Array<{ receipt: WebhookReceipt; answer: () => void }> = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      let verified = false;
      try {
        if (secret) {
          new Webhook(secret).verify(body, req.headers as Record<string, string>);
          verified = true;
        }
      } catch {
        verified = false;
      }
      const answered = failures > 0 ? 500 : 204;
      if (failures > 0) failures--;
      const receipt = { id: String(req.headers["webhook-id"]), headers: req.headers, body, verified, answered };
      receipts.push(receipt);
      // A held answer to a sender that died goes to a closed socket: nothing to do.
      const answer = () => void (res.destroyed || res.writeHead(answered).end());
      if (holding) held.push({ receipt, answer });
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    receipts,
    useSecret: (value) => {
      secret = value;
    },
    failNext: (requests) => {
      failures = requests;
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const { answer } of held.splice(0)) answer();
    },
    held: () => held.map((h) => h.receipt),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
