/**
 * Axis tick labels that read right from 1e-3 to 1e7 (and past): thousands as "k", millions as "M",
 * billions as "G", with just enough decimals to tell neighbouring ticks apart (the step decides),
 * and exponents only for values below 1e-4. uPlot's default keeps every digit ("87,800") in a
 * fixed 50 px axis, so large losses were clipped to their last digits ("7,500").
 */

const SI: ReadonlyArray<[number, string]> = [
  [1e9, "G"],
  [1e6, "M"],
  [1e3, "k"],
];

/** The divisor and suffix for a tick range whose largest magnitude is `maxAbs`. */
function unit(maxAbs: number): [number, string] {
  for (const [div, s] of SI) if (maxAbs >= div * 10 || (div === 1e3 && maxAbs >= 1e4)) return [div, s];
  return [1, ""];
}

/** Labels for linear ticks `splits` spaced `step` apart. */
export function linearTicks(splits: readonly number[], step: number): string[] {
  const maxAbs = Math.max(0, ...splits.map((v) => Math.abs(v)));
  if (maxAbs > 0 && maxAbs < 1e-4) return splits.map((v) => (v === 0 ? "0" : v.toExponential(Math.max(0, Math.min(3, Math.ceil(-Math.log10(step / maxAbs) - 1e-9))))));
  const [div, suffix] = unit(maxAbs);
  const s = step > 0 && Number.isFinite(step) ? step / div : 1;
  // As many decimals as the step needs to be exact (2.5k steps: "82.5k", not a rounded "83k").
  let dec = 0;
  while (dec < 6 && Math.abs(s * 10 ** dec - Math.round(s * 10 ** dec)) > 1e-6 * Math.max(1, s * 10 ** dec)) dec++;
  return splits.map((v) => {
    const t = (v / div).toFixed(dec);
    return (/^-0\.?0*$/.test(t) ? t.slice(1) : t) + (v === 0 ? "" : suffix);
  });
}

/** One value in about three significant digits with an SI suffix (log-scale ticks, where each tick stands alone). */
export function compact(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a < 1e-4) return v.toExponential(1);
  const [div, suffix] = a >= 1e3 ? (SI.find(([d]) => a >= d) ?? [1, ""]) : [1, ""];
  const x = v / div;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return Number(x.toFixed(Math.min(digits, 6))).toString() + suffix;
}

/** Parse a label back to a number ("87.8k" → 87800), for tests and the accessible table. */
export function parseTick(label: string): number {
  const m = /^(-?[\d.]+(?:e[-+]?\d+)?)([kMG]?)$/.exec(label.trim());
  if (!m) return Number.NaN;
  const mult = m[2] === "k" ? 1e3 : m[2] === "M" ? 1e6 : m[2] === "G" ? 1e9 : 1;
  return Number(m[1]) * mult;
}
