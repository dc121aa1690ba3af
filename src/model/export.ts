/** Factor matrices as CSV text (browser-safe): one row per id, `id,f1..fk[,bias]`. */
import type { FactorModel } from "./factor-model.js";

/** RFC 4180 quoting: a field with a comma, quote, CR, LF or edge whitespace is quoted, quotes doubled. */
export function csvField(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The shortest decimal that reads back to the same float32 (1.1 rather than 1.100000023841858). */
export function float32Text(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const f = Math.fround(x);
  for (let p = 1; p < 10; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

function table(ids: string[], data: Float32Array, k: number, bias: Float32Array | undefined): string {
  const head = ["id"];
  for (let f = 1; f <= k; f++) head.push(`f${f}`);
  if (bias) head.push("bias");
  const lines = [head.join(",")];
  for (let r = 0; r < ids.length; r++) {
    const cells = [csvField(ids[r]!)];
    for (let f = 0; f < k; f++) cells.push(float32Text(data[r * k + f]!));
    if (bias) cells.push(float32Text(bias[r]!));
    lines.push(cells.join(","));
  }
  return lines.join("\n") + "\n";
}

/** CSV text of the user factors and item factors: header `id,f1,…,fk` plus `bias` when the model has biases. */
export function exportFactorsCsv(model: FactorModel): { users: string; items: string } {
  const k = model.factors;
  return {
    users: table(model.userIndex.ids(), model.userFactors.data, k, model.userBias),
    items: table(model.itemIndex.ids(), model.itemFactors.data, k, model.itemBias),
  };
}
