import { describe, expect, it } from "vitest";
import { attemptErrorInWords } from "./delivery";

describe("attemptErrorInWords", () => {
  it("says what the system errors of a failed delivery mean", () => {
    expect(attemptErrorInWords("getaddrinfo ENOTFOUND example.invalid")).toBe("The name example.invalid was not found (DNS)");
    expect(attemptErrorInWords("connect ECONNREFUSED 203.0.113.5:443")).toMatch(/^The receiver refused the connection/);
    expect(attemptErrorInWords("socket hang up")).toBe("The receiver dropped the connection before answering");
    expect(attemptErrorInWords("no answer within 10 s")).toBe("The receiver did not answer in time");
    expect(attemptErrorInWords("unable to verify the first certificate")).toBe("The receiver's TLS certificate was not accepted");
    expect(attemptErrorInWords("answered 500: oops")).toBe("The receiver answered 500");
    expect(attemptErrorInWords("refused: localhost resolves to a non-public address (127.0.0.1 is a loopback address)")).toBe(
      "Not sent: localhost resolves to a non-public address (127.0.0.1 is a loopback address); receivers on private, loopback and link-local addresses are refused unless the server allows them",
    );
  });

  it("keeps an error it does not know as it came", () => {
    expect(attemptErrorInWords("something odd")).toBe("something odd");
  });
});
