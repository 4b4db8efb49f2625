import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DomainError, invalid } from "./errors";
import { MAX_FORM_FIELDS, readFormData, runFormAction } from "./form-action.server";

const post = (body: BodyInit, contentType: string) =>
  new Request("http://portal.test/form", { method: "POST", body, headers: { "content-type": contentType } });

async function refusal(request: Request): Promise<Response> {
  try {
    await readFormData(request);
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("The form was read");
}

function multipart(fields: number): { body: string; contentType: string } {
  const boundary = "----portal-test";
  const parts = Array.from({ length: fields }, (_, i) => `--${boundary}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`);
  return { body: `${parts.join("")}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

describe("readFormData bounds the number of fields before parsing them (issue 14)", () => {
  it("reads a form of exactly the limit", async () => {
    const form = await readFormData(
      post(Array.from({ length: MAX_FORM_FIELDS }, (_, i) => `f${i}=v`).join("&"), "application/x-www-form-urlencoded"),
    );
    expect([...form.keys()]).toHaveLength(MAX_FORM_FIELDS);
    const { body, contentType } = multipart(MAX_FORM_FIELDS);
    expect([...(await readFormData(post(body, contentType))).keys()]).toHaveLength(MAX_FORM_FIELDS);
  });

  it("refuses one field more with 413 and says why, urlencoded or multipart", async () => {
    // 4 MB of `a=&` is 1.4 million fields: parsing and validating them cost a worker seconds.
    const urlencoded = await refusal(post("a=&".repeat(MAX_FORM_FIELDS + 1), "application/x-www-form-urlencoded"));
    expect(urlencoded.status).toBe(413);
    expect(await urlencoded.text()).toBe(`Forms are limited to ${MAX_FORM_FIELDS.toLocaleString("en")} fields`);
    const { body, contentType } = multipart(MAX_FORM_FIELDS + 1);
    const parts = await refusal(post(body, contentType));
    expect(parts.status).toBe(413);
  });
});

describe("runFormAction keeps what was typed", () => {
  const form = (fields: Record<string, string>) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(fields)) data.set(name, value);
    return data;
  };
  const schema = z.object({ status: z.string(), evidence: z.string(), password: z.string().optional() });

  it("sends the typed values back with a refusal of the domain, as with one of the schema (passwords left out)", async () => {
    const sent = form({ intent: "update", status: "done", evidence: "", row: "item-7", password: "secret" });
    const refused = await runFormAction(
      sent,
      schema,
      () => {
        throw invalid("Marking it done needs evidence", "evidence");
      },
      "Saved.",
    );
    expect(refused.init?.status).toBe(422);
    expect(refused.data).toEqual({
      ok: false,
      intent: "update",
      errors: { evidence: "Marking it done needs evidence" },
      values: { intent: "update", status: "done", evidence: "", row: "item-7" },
    });
    const invalidForm = await runFormAction(form({ status: "done" }), schema, () => "never run", "Saved.");
    expect(invalidForm.init?.status).toBe(400);
    expect(invalidForm.data.values).toEqual({ status: "done" });
  });

  it("puts each problem a domain refusal lists on its own field, beside the refusal's message on the form", async () => {
    const refused = await runFormAction(
      form({ status: "done", evidence: "" }),
      schema,
      () => {
        throw new DomainError("conflict", "Justify two levels", undefined, [
          { path: "justifications.mlops", message: "MLOps: no registry evidence" },
          { path: "justifications.ops", message: "Operations: above the evidence" },
        ]);
      },
      "Saved.",
    );
    expect(refused.init?.status).toBe(409);
    expect(refused.data.errors).toEqual({
      form: "Justify two levels",
      "justifications.mlops": "MLOps: no registry evidence",
      "justifications.ops": "Operations: above the evidence",
    });
  });

  it("sends back the values a success names, for the page to show its notice where the form was", async () => {
    const saved = await runFormAction(
      form({ status: "todo", evidence: "PR 7", row: "item-7" }),
      schema,
      (input) => input.status,
      (status) => ({
        notice: `Now ${status}.`,
        values: { row: "item-7" },
      }),
    );
    expect(saved.data).toEqual({ ok: true, notice: "Now todo.", values: { row: "item-7" } });
  });
});
