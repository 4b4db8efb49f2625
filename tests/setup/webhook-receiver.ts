import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/**
 * A real HTTP receiver on a free loopback port for webhook tests. It keeps
 * every raw receipt (headers and body as received) and verifies each with
 * the `standardwebhooks` verifier under the secret it is given. `failNext(n)`
 * answers the next n requests with 500, to force retries.
 */
export type WebhookReceipt = { id: string; headers: http.IncomingHttpHeaders; body: string; verified: boolean; answered: number };

export type WebhookReceiver = {
  url: string;
  receipts: WebhookReceipt[];
  /** The secret receipts are verified with (set it once the endpoint is registered). */
  useSecret: (secret: string) => void;
  failNext: (requests: number) => void;
  close: () => Promise<void>;
};

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receipts: WebhookReceipt[] = [];
  let secret: string | undefined;
  let failures = 0;
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
      receipts.push({ id: String(req.headers["webhook-id"]), headers: req.headers, body, verified, answered });
      res.writeHead(answered).end();
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
