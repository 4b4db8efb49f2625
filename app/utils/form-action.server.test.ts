import { describe, expect, it } from "vitest";
import { MAX_FORM_FIELDS, readFormData } from "./form-action.server";

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
