import { MfrecError } from "../core/errors.js";
import { detectDelimiter, detectLayout, formatName, type ReadOptions, resolveOptions, splitLine } from "./detect-layout.js";
import type { IdIndex } from "./id-index.js";
import { type InputLayout, type Ratings, RatingsBuilder } from "./ratings.js";

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const COLON = 58;
const ROLE_USER = 1;
const ROLE_ITEM = 2;
const ROLE_RATING = 3;
const ROLE_TIME = 4;
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);
const decoder = new TextDecoder("utf-8");

/**
 * A plain decimal `[+-]digits[.digits]` with at most 15 significant digits, else NaN (the caller then
 * takes the strict slow path). m / 10^s with both exact in a double is one correctly rounded
 * division, so the result equals Number(text).
 */
function fastDecimal(buf: Uint8Array, k: number, end: number): number {
  let neg = false;
  const c0 = buf[k]!;
  if (c0 === 45) {
    neg = true;
    k++;
  } else if (c0 === 43) k++;
  let m = 0;
  let digits = 0;
  let scale = 0;
  let dot = false;
  for (; k < end; k++) {
    const c = buf[k]!;
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      m = m * 10 + d;
      digits++;
      if (dot) scale++;
    } else if (c === 46 && !dot) dot = true;
    else return Number.NaN;
  }
  if (digits === 0 || digits > 15) return Number.NaN;
  const v = scale === 0 ? m : m / POW10[scale]!;
  return neg ? -v : v;
}

/**
 * Streaming, byte-level reader of delimited ratings text. Feed it `Uint8Array` chunks of any size
 * (Node stream buffers, browser fetch chunks) with {@link push}, then call {@link finish}. Values
 * go straight into a {@link RatingsBuilder}; only the unfinished last line of a chunk is kept.
 *
 * Lines end at "\n" (a "\r" before it is dropped); quotes follow RFC 4180 within one line (a
 * quoted field may hold the delimiter and `""`, not a newline: an unclosed quote is E_BAD_QUOTE on
 * that line, so one stray quote cannot swallow the rest of the file). Blank lines are skipped;
 * line numbers are physical, 1-based lines. Non-negative integer ids go through
 * {@link IdIndex.addInt} without a string per row.
 */
export class DelimitedParser {
  private readonly opts: ReturnType<typeof resolveOptions>;
  private readonly builder: RatingsBuilder;
  private readonly users: IdIndex;
  private readonly items: IdIndex;
  private layout: InputLayout | undefined;
  private line = 0;
  private carry = new Uint8Array(0);
  private carryLen = 0;
  private finished = false;
  // Resolved layout, flattened for the hot loop.
  private roles = new Int8Array(0);
  private maxCol = 0;
  private maxNeeded = 0;
  private kind = 0; // 0 one-byte delimiter, 1 whitespace runs, 2 "::"
  private delim = 0;
  private lo = Number.NEGATIVE_INFINITY;
  private hi = Number.POSITIVE_INFINITY;
  private hasRating = false;
  private hasTime = false;
  private qEnd = 0;

  constructor(opts: ReadOptions = {}) {
    this.opts = resolveOptions(opts);
    this.builder = new RatingsBuilder({ source: "text", ...opts });
    this.users = this.builder.userIndex;
    this.items = this.builder.itemIndex;
    if (opts.scale) [this.lo, this.hi] = opts.scale;
  }

  /** The detected (or given) layout, once the first non-blank line has been seen. */
  get detected(): InputLayout | undefined {
    return this.layout;
  }

  /** Ratings accepted so far (before duplicate resolution). */
  get count(): number {
    return this.builder.count;
  }

  /** Rows the builder holds before it next grows. */
  get capacity(): number {
    return this.builder.capacity;
  }

  /** Capacity hint for the rows still to come, in all: see {@link RatingsBuilder.reserve}. */
  reserve(rows: number): void {
    this.builder.reserve(rows);
  }

  /** Feed the next chunk of bytes. Chunk boundaries may fall anywhere (inside a field, a CRLF, a BOM, a UTF-8 character). */
  push(chunk: Uint8Array): void {
    if (this.finished) throw new MfrecError("E_CONFIG", "push() after finish()", { expected: "a new DelimitedParser per input" });
    let pos = 0;
    if (this.carryLen > 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.append(chunk);
        return;
      }
      this.append(chunk.subarray(0, nl + 1));
      this.region(this.carry, 0, this.carryLen);
      this.carryLen = 0;
      pos = nl + 1;
    }
    const last = chunk.lastIndexOf(NL);
    if (last >= pos) {
      this.region(chunk, pos, last + 1);
      pos = last + 1;
    }
    if (pos < chunk.length) this.append(chunk.subarray(pos));
  }

  /** End of input: parse a last line without newline, resolve duplicates, return the Ratings (E_EMPTY_INPUT if none). */
  finish(): Ratings {
    if (this.finished) throw new MfrecError("E_CONFIG", "finish() called twice", { expected: "a new DelimitedParser per input" });
    if (this.carryLen > 0) {
      this.append(Uint8Array.of(NL));
      this.region(this.carry, 0, this.carryLen);
      this.carryLen = 0;
    }
    this.finished = true;
    this.carry = new Uint8Array(0);
    const layout = this.layout;
    return this.builder.finish({ format: layout ? formatName(layout, this.opts.format) : this.opts.format, layout });
  }

  private append(bytes: Uint8Array): void {
    const need = this.carryLen + bytes.length;
    if (need > this.carry.length) {
      const next = new Uint8Array(Math.max(need, this.carry.length * 2, 4096));
      next.set(this.carry.subarray(0, this.carryLen));
      this.carry = next;
    }
    this.carry.set(bytes, this.carryLen);
    this.carryLen = need;
  }

  /** Parse [pos, end), where every line ends with "\n". */
  private region(buf: Uint8Array, pos: number, end: number): void {
    while (this.layout === undefined && pos < end) {
      const nl = buf.indexOf(NL, pos);
      const lineNo = this.line + 1;
      let s = pos;
      if (lineNo === 1 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
      const text = decoder.decode(buf.subarray(s, nl)).replace(/\r$/, "");
      if (text.trim() === "") {
        this.line = lineNo;
        pos = nl + 1;
        continue;
      }
      this.resolve(text, lineNo);
      if (this.layout!.header) {
        this.line = lineNo;
        pos = nl + 1;
      }
    }
    if (pos < end) this.rows(buf, pos, end);
  }

  private resolve(text: string, lineNo: number): void {
    const o = this.opts;
    const file = o.source;
    let delimiter = o.delimiter;
    if (delimiter === "auto") {
      const d = detectDelimiter(text);
      if (d === undefined) {
        throw new MfrecError("E_MISSING_COLUMN", "cannot find a delimiter in the first line", { file, line: lineNo, value: text.slice(0, 80), expected: "user and item fields separated by , tab ; | :: or spaces" });
      }
      delimiter = d;
    }
    const layout = detectLayout(splitLine(text, delimiter), { ...o, delimiter }, lineNo, file);
    const c = layout.columns;
    this.maxNeeded = Math.max(c.user, c.item, c.rating ?? -1, c.timestamp ?? -1);
    // Scan every field of the first line's width (unused ones too), so a row with more is noticed.
    this.maxCol = Math.max(this.maxNeeded, layout.fields - 1);
    this.roles = new Int8Array(this.maxCol + 1);
    this.roles[c.user] = ROLE_USER;
    this.roles[c.item] = ROLE_ITEM;
    if (c.rating !== undefined) this.roles[c.rating] = ROLE_RATING;
    if (c.timestamp !== undefined) this.roles[c.timestamp] = ROLE_TIME;
    this.hasRating = c.rating !== undefined;
    this.hasTime = c.timestamp !== undefined;
    this.kind = delimiter === "whitespace" ? 1 : delimiter === "::" ? 2 : 0;
    this.delim = delimiter.charCodeAt(0);
    this.layout = layout;
  }

  /** Quoted field at buf[p] === '"': its text, with qEnd just past the closing quote; undefined after reporting E_BAD_QUOTE. */
  private quoted(buf: Uint8Array, p: number, line: number): string | undefined {
    let q = p + 1;
    let escaped = false;
    for (;;) {
      const c = buf[q]!;
      if (c === NL) {
        this.builder.invalid("E_BAD_QUOTE", "quoted field is not closed before the end of the line", line, { value: decoder.decode(buf.subarray(p, Math.min(q, p + 40))), expected: 'a closing " (write "" for a quote inside a field)' });
        return undefined;
      }
      if (c === QUOTE) {
        if (buf[q + 1] === QUOTE) {
          escaped = true;
          q += 2;
          continue;
        }
        break;
      }
      q++;
    }
    const text = decoder.decode(buf.subarray(p + 1, q));
    q++;
    // Stop at the delimiter itself (for whitespace runs: the first blank), as the unquoted scan does.
    while (buf[q] === CR || (this.kind !== 1 && buf[q] === SPACE)) q++;
    const c = buf[q]!;
    const atDelim = c === NL || (this.kind === 0 ? c === this.delim : this.kind === 2 ? c === COLON && buf[q + 1] === COLON : c === SPACE || c === TAB);
    if (!atDelim) {
      this.builder.invalid("E_BAD_QUOTE", "text after the closing quote of a field", line, { value: decoder.decode(buf.subarray(p, Math.min(buf.indexOf(NL, q), q + 20))), expected: "a delimiter right after the closing quote" });
      return undefined;
    }
    this.qEnd = q;
    return escaped ? text.replace(/""/g, '"') : text;
  }

  /** Fields of the line ending at buf[nl] (for the extra-fields report only: rare, and quotes are not considered). */
  private countFields(buf: Uint8Array, nl: number): number {
    const s = buf.lastIndexOf(NL, nl - 1) + 1;
    const text = decoder.decode(buf.subarray(s, nl)).replace(/\r$/, "").trim();
    if (this.kind === 1) return text.split(/[ \t]+/).length;
    if (this.kind === 2) return text.split("::").length;
    return text.split(String.fromCharCode(this.delim)).length;
  }

  /** The hot loop: one pass over the bytes of whole lines, numbers parsed in place. */
  private rows(buf: Uint8Array, pos: number, end: number): void {
    const b = this.builder;
    const users = this.users;
    const items = this.items;
    const roles = this.roles;
    const maxCol = this.maxCol;
    const kind = this.kind;
    const delim = this.delim;
    const lo = this.lo;
    const hi = this.hi;
    const hasRating = this.hasRating;
    const hasTime = this.hasTime;
    let line = this.line;
    while (pos < end) {
      line++;
      let p = pos;
      if (line === 1 && buf[p] === 0xef && buf[p + 1] === 0xbb && buf[p + 2] === 0xbf) p += 3;
      let c = buf[p]!;
      let q = p;
      while (c === SPACE || c === CR || (kind === 1 && c === TAB)) c = buf[++q]!;
      if (c === NL) {
        pos = q + 1; // blank line
        continue;
      }
      let uN = -1;
      let iN = -1;
      let uS: string | undefined;
      let iS: string | undefined;
      let vN = 1;
      let vS: string | undefined;
      let tN = 0;
      let tS: string | undefined;
      let f = 0;
      let bad = false;
      let extra = false;
      for (;;) {
        if (kind === 1) {
          while ((c = buf[p]!) === SPACE || c === TAB || c === CR) p++;
          if (c === NL) break;
        } else while (buf[p] === SPACE) p++;
        const role = roles[f]!;
        let qs: string | undefined;
        const fs = p;
        let fe: number;
        if (buf[p] === QUOTE) {
          qs = this.quoted(buf, p, line);
          if (qs === undefined) {
            bad = true;
            p = buf.indexOf(NL, p);
            break;
          }
          p = fe = this.qEnd;
        } else {
          if (kind === 0) while ((c = buf[p]!) !== delim && c !== NL) p++;
          else if (kind === 2) while ((c = buf[p]!) !== NL && !(c === COLON && buf[p + 1] === COLON)) p++;
          else while ((c = buf[p]!) !== SPACE && c !== TAB && c !== NL) p++;
          fe = p;
          while (fe > fs && ((c = buf[fe - 1]!) === SPACE || c === CR)) fe--;
        }
        if (role !== 0) {
          if (qs !== undefined) {
            if (role === ROLE_USER) uS = qs;
            else if (role === ROLE_ITEM) iS = qs;
            else if (role === ROLE_RATING) vS = qs;
            else tS = qs;
          } else if (role === ROLE_USER || role === ROLE_ITEM) {
            // Canonical non-negative integers ("0", "42", not "042") up to 9 digits skip the string.
            let n = 0;
            let k = fs;
            const len = fe - fs;
            if (len > 0 && len <= 9 && (buf[fs] !== 48 || len === 1)) {
              for (; k < fe; k++) {
                const d = buf[k]! - 48;
                if (d < 0 || d > 9) break;
                n = n * 10 + d;
              }
            }
            if (len > 0 && k === fe) {
              if (role === ROLE_USER) uN = n;
              else iN = n;
            } else {
              const s = decoder.decode(buf.subarray(fs, fe));
              if (role === ROLE_USER) uS = s;
              else iS = s;
            }
          } else if (role === ROLE_RATING) {
            vN = fastDecimal(buf, fs, fe);
            if (Number.isNaN(vN)) vS = decoder.decode(buf.subarray(fs, fe));
          } else {
            tN = fastDecimal(buf, fs, fe);
            if (Number.isNaN(tN)) tS = decoder.decode(buf.subarray(fs, fe));
          }
        }
        f++;
        if (buf[p] === NL) break;
        if (f > maxCol) {
          // More than the first line's fields, unless only blanks are left (whitespace-delimited rows).
          let r = p;
          if (kind === 1) while ((c = buf[r]!) === SPACE || c === TAB || c === CR) r++;
          if (buf[r] !== NL) extra = true;
          p = buf.indexOf(NL, p);
          break;
        }
        p += kind === 2 ? 2 : 1;
      }
      pos = p + 1;
      if (bad) continue;
      if (f <= this.maxNeeded) {
        b.invalid("E_MISSING_COLUMN", `row has ${f} field${f === 1 ? "" : "s"}`, line, { value: f, expected: `at least ${this.maxNeeded + 1} fields` });
        continue;
      }
      if (uS !== undefined && (uS = uS.trim()) === "") {
        b.invalid("E_EMPTY_ID", "empty user id", line, { column: "user", value: "", expected: "a non-empty id" });
        continue;
      }
      if (iS !== undefined && (iS = iS.trim()) === "") {
        b.invalid("E_EMPTY_ID", "empty item id", line, { column: "item", value: "", expected: "a non-empty id" });
        continue;
      }
      if ((uS !== undefined && !b.idLengthOk(uS, "user", line)) || (iS !== undefined && !b.idLengthOk(iS, "item", line))) continue;
      let v = 1;
      if (hasRating) {
        if (vS !== undefined) {
          const r = b.checkValue(vS, line);
          if (r === undefined) continue;
          v = r;
        } else if (vN < lo || vN > hi) {
          b.checkValue(vN, line);
          continue;
        } else v = vN;
      }
      let t: number | undefined;
      if (hasTime) {
        if (tS !== undefined) {
          t = b.checkValue(tS, line, "timestamp");
          if (t === undefined) continue;
        } else t = tN;
      }
      if (extra) b.extraFields(line, this.countFields(buf, pos - 1), maxCol + 1);
      const u = uS === undefined ? users.addInt(uN) : users.add(uS);
      const i = iS === undefined ? items.addInt(iN) : items.add(iS);
      b.addIndexed(u, i, v, line, t);
    }
    this.line = line;
  }
}

/**
 * Ratings from delimited text held in memory (browser-safe; for small inputs and tests).
 * Same rules and options as readRatingsFile; `source` names the input in errors (default "text").
 */
export function parseRatingsText(text: string | Uint8Array, opts: ReadOptions = {}): Ratings {
  const p = new DelimitedParser(opts);
  p.push(typeof text === "string" ? new TextEncoder().encode(text) : text);
  return p.finish();
}
