/**
 * Streaming RFC 4180 CSV parser.
 *
 * - Fields are separated by commas, records by \n or \r\n (a lone \r is data).
 * - Quoted fields may hold commas, line breaks and "" (an escaped quote).
 * - Lenient like Python's csv module: a quote inside an unquoted field is kept
 *   as data, and text after a closing quote is appended to the field.
 * - Empty lines are skipped and are not counted as rows.
 * - A UTF-8 byte order mark at the very start is dropped.
 * - Ragged rows (a different number of fields from the header) are passed
 *   through; the caller decides what to do with them.
 *
 * Chunks may split the input anywhere: inside quotes, between \r and \n, or
 * (for `parseCsvStream`) inside a multi-byte UTF-8 character.
 *
 * Fast path: a complete line without a quote is split on commas directly;
 * everything else goes through a resumable character-level state machine.
 */

export type CsvOptions = {
  /** More fields in one row → CsvError. Default 10,000. */
  maxFields?: number;
  /** A longer field → CsvError. Default 1,000,000 characters. */
  maxFieldLength?: number;
};

export const CSV_DEFAULT_MAX_FIELDS = 10_000;
export const CSV_DEFAULT_MAX_FIELD_LENGTH = 1_000_000;

/** The message does not repeat the row number; callers show it, e.g. `Row ${rowNumber}: ${message}`. */
export class CsvError extends Error {
  /** 1-based row (record) number, the header being row 1. */
  readonly rowNumber: number;
  constructor(message: string, rowNumber: number) {
    super(message);
    this.name = "CsvError";
    this.rowNumber = rowNumber;
  }
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10; // \n
const CR = 13; // \r
const BOM = "\uFEFF";

const enum State {
  /** Between records. */
  RecordStart,
  /** At the start of a field after a comma. */
  FieldStart,
  /** Inside an unquoted field (or after a closing quote). */
  Unquoted,
  /** Inside an unquoted field; the chunk ended right after a \r. */
  UnquotedCr,
  /** Inside a quoted field. */
  Quoted,
  /** Just read a quote inside a quoted field: an escape ("") or the closing quote. */
  QuotedQuote,
}

export class CsvParser {
  private readonly onRow: (fields: string[], rowNumber: number) => void;
  private readonly maxFields: number;
  private readonly maxFieldLength: number;
  private state: State = State.RecordStart;
  /** Completed fields of the record being read by the state machine. */
  private fields: string[] = [];
  /** Text of the field being read by the state machine. */
  private field = "";
  /** Whether the current record had a quoted field (so `""` alone is not an empty line). */
  private quoted = false;
  private rowCount = 0;
  private started = false;
  private ended = false;

  constructor(onRow: (fields: string[], rowNumber: number) => void, options: CsvOptions = {}) {
    this.onRow = onRow;
    this.maxFields = options.maxFields ?? CSV_DEFAULT_MAX_FIELDS;
    this.maxFieldLength = options.maxFieldLength ?? CSV_DEFAULT_MAX_FIELD_LENGTH;
  }

  /** Records emitted so far (header included). */
  get rows(): number {
    return this.rowCount;
  }

  push(chunk: string): void {
    if (this.ended) throw new Error("CsvParser.push() called after end()");
    if (chunk.length === 0) return;
    let pos = 0;
    if (!this.started) {
      this.started = true;
      if (chunk.startsWith(BOM)) pos = 1;
    }
    const len = chunk.length;
    // Position of the next quote at or after `pos` (-1: none left in this chunk).
    let nextQuote = -2;
    while (pos < len) {
      if (this.state === State.RecordStart) {
        if (nextQuote !== -1 && nextQuote < pos) nextQuote = chunk.indexOf('"', pos);
        const nl = chunk.indexOf("\n", pos);
        if (nl !== -1 && (nextQuote === -1 || nextQuote > nl)) {
          let end = nl;
          if (end > pos && chunk.charCodeAt(end - 1) === CR) end--;
          if (end > pos) this.emitLine(chunk.slice(pos, end));
          pos = nl + 1;
          continue;
        }
      }
      pos = this.machine(chunk, pos);
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    switch (this.state) {
      case State.RecordStart:
        return;
      case State.Quoted:
        throw new CsvError("A quoted field is never closed (unterminated quote)", this.rowCount + 1);
      default:
        // FieldStart (after a trailing comma), Unquoted, UnquotedCr (final \r) or QuotedQuote (closing quote at EOF).
        this.endField();
        this.endRecord();
    }
  }

  /** Fast path: a complete line without quotes. */
  private emitLine(line: string): void {
    const fields = line.split(",");
    const rowNumber = this.rowCount + 1;
    if (fields.length > this.maxFields) this.tooManyFields(rowNumber);
    if (line.length > this.maxFieldLength) {
      for (const field of fields) if (field.length > this.maxFieldLength) this.fieldTooLong(rowNumber);
    }
    this.rowCount = rowNumber;
    this.onRow(fields, rowNumber);
  }

  /**
   * Character-level state machine. Runs from `pos` until the current record
   * ends (state back to RecordStart) or the chunk is used up; returns the new
   * position.
   */
  private machine(chunk: string, pos: number): number {
    const len = chunk.length;
    let i = pos;
    while (i < len) {
      switch (this.state) {
        case State.RecordStart:
          this.fields = [];
          this.field = "";
          this.quoted = false;
          this.state = State.FieldStart;
        // falls through
        case State.FieldStart:
          if (chunk.charCodeAt(i) === QUOTE) {
            this.quoted = true;
            this.state = State.Quoted;
            i++;
          } else {
            this.state = State.Unquoted;
          }
          break;
        case State.UnquotedCr:
          if (chunk.charCodeAt(i) === LF) {
            this.endField();
            this.endRecord();
            return i + 1;
          }
          this.append("\r");
          this.state = State.Unquoted;
          break;
        case State.Unquoted: {
          let j = i;
          let c = 0;
          for (; j < len; j++) {
            c = chunk.charCodeAt(j);
            if (c === COMMA || c === LF) break;
            if (c === CR) {
              if (j + 1 === len || chunk.charCodeAt(j + 1) === LF) break;
            }
          }
          if (j > i) this.append(chunk.slice(i, j));
          if (j === len) return len;
          if (c === COMMA) {
            this.endField();
            this.state = State.FieldStart;
            i = j + 1;
          } else if (c === LF) {
            this.endField();
            this.endRecord();
            return j + 1;
          } else if (j + 1 === len) {
            // \r at the end of the chunk: decide when the next chunk arrives.
            this.state = State.UnquotedCr;
            return len;
          } else {
            // \r\n
            this.endField();
            this.endRecord();
            return j + 2;
          }
          break;
        }
        case State.Quoted: {
          const q = chunk.indexOf('"', i);
          if (q === -1) {
            this.append(chunk.slice(i));
            return len;
          }
          if (q > i) this.append(chunk.slice(i, q));
          this.state = State.QuotedQuote;
          i = q + 1;
          break;
        }
        case State.QuotedQuote:
          if (chunk.charCodeAt(i) === QUOTE) {
            this.append('"');
            this.state = State.Quoted;
            i++;
          } else {
            // Closing quote; separators (and any stray text) are handled as unquoted.
            this.state = State.Unquoted;
          }
          break;
      }
    }
    return i;
  }

  private append(text: string): void {
    this.field += text;
    if (this.field.length > this.maxFieldLength) this.fieldTooLong(this.rowCount + 1);
  }

  private endField(): void {
    if (this.fields.length >= this.maxFields) this.tooManyFields(this.rowCount + 1);
    this.fields.push(this.field);
    this.field = "";
  }

  private endRecord(): void {
    const fields = this.fields;
    this.fields = [];
    this.state = State.RecordStart;
    if (fields.length === 1 && fields[0] === "" && !this.quoted) return; // an empty line
    this.rowCount++;
    this.onRow(fields, this.rowCount);
  }

  private tooManyFields(rowNumber: number): never {
    throw new CsvError(`The row has more than ${this.maxFields} fields`, rowNumber);
  }

  private fieldTooLong(rowNumber: number): never {
    throw new CsvError(`The row has a field longer than ${this.maxFieldLength} characters`, rowNumber);
  }
}

/** The trailing bytes of `bytes` that start a UTF-8 sequence it does not complete. */
function incompleteTail(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const b = bytes[bytes.length - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? bytes.subarray(bytes.length - back) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** The text of the longest prefix of `bytes` that decodes without error (binary search). */
function validUtf8Prefix(bytes: Uint8Array): string {
  const decodes = (length: number): string | null => {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, length), { stream: true });
    } catch {
      return null;
    }
  };
  let low = 0; // decodes
  let high = bytes.length + 1; // does not decode (bytes.length + 1 stands for "with the end of the file")
  while (high - low > 1) {
    const mid = (low + high) >>> 1;
    if (mid <= bytes.length && decodes(mid) !== null) low = mid;
    else high = mid;
  }
  return decodes(low) ?? "";
}

function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair: 2 UTF-16 units, 4 bytes.
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * Parses a byte (or string) stream, e.g. `fs.createReadStream(file)` or a
 * request body. Returns the number of rows passed to `onRow` (header
 * included) and the number of bytes read. Errors thrown by `onRow` propagate.
 */
export async function parseCsvStream(
  source: AsyncIterable<Uint8Array | string>,
  onRow: (fields: string[], rowNumber: number) => void,
  options?: CsvOptions,
): Promise<{ rows: number; bytes: number }> {
  const parser = new CsvParser(onRow, options);
  // ignoreBOM: keep the BOM in the text; CsvParser drops it (also for string sources).
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let previous: Uint8Array = new Uint8Array(0);
  const invalid = (bytes: Uint8Array): CsvError => {
    // Error path only: parse the valid text before the bad bytes so that the
    // error names the row they are in.
    const valid = validUtf8Prefix(concatBytes(incompleteTail(previous), bytes));
    parser.push(valid);
    return new CsvError("The file is not valid UTF-8", parser.rows + 1);
  };
  const decode = (bytes: Uint8Array): string => {
    try {
      const text = decoder.decode(bytes, { stream: true });
      previous = bytes;
      return text;
    } catch {
      throw invalid(bytes);
    }
  };
  const flush = (): string => {
    try {
      return decoder.decode();
    } catch {
      throw invalid(new Uint8Array(0));
    }
  };
  let bytes = 0;
  for await (const chunk of source) {
    if (typeof chunk === "string") {
      bytes += utf8Length(chunk);
      parser.push(chunk);
    } else {
      bytes += chunk.byteLength;
      parser.push(decode(chunk));
    }
  }
  parser.push(flush());
  parser.end();
  return { rows: parser.rows, bytes };
}
