/**
 * Request counts and latency histograms per route in the Prometheus text exposition format
 * (version 0.0.4). Routes are the matched patterns ("/recommend/:user"), never raw paths, so the
 * number of series stays bounded whatever ids clients send.
 */

/** Upper bounds (seconds) of the latency histogram buckets; +Inf is implicit. */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Series {
  route: string;
  method: string;
  /** counts[b] = requests with latency ≤ LATENCY_BUCKETS[b] (non-cumulative; summed at export). */
  buckets: Float64Array;
  count: number;
  sum: number;
  byStatus: Map<number, number>;
}

/** Gauges the server fills at scrape time. */
export interface MetricGauges {
  modelVersion: number | null;
  ratings: number;
  foldedInUsers: number;
  up: number;
  /** SQLite WAL: bytes now, peak seen by the checkpoint worker, truncating checkpoints. */
  wal?: { walBytes: number; peakWalBytes: number; truncations: number };
}

/** In-process metrics registry of the HTTP layer. */
export class Metrics {
  private readonly series = new Map<string, Series>();
  readonly startedAt = Date.now();

  /** Record one request: `seconds` of latency, answered with `status`. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route}`;
    let s = this.series.get(key);
    if (!s) {
      s = { route, method, buckets: new Float64Array(LATENCY_BUCKETS.length), count: 0, sum: 0, byStatus: new Map() };
      this.series.set(key, s);
    }
    s.count++;
    s.sum += seconds;
    s.byStatus.set(status, (s.byStatus.get(status) ?? 0) + 1);
    for (let b = 0; b < LATENCY_BUCKETS.length; b++) {
      if (seconds <= LATENCY_BUCKETS[b]!) {
        s.buckets[b]!++;
        break;
      }
    }
  }

  /** Total requests seen for a route (all statuses). */
  count(method: string, route: string): number {
    return this.series.get(`${method} ${route}`)?.count ?? 0;
  }

  /** The exposition text. */
  render(g: MetricGauges): string {
    const out: string[] = [];
    out.push("# HELP mfrec_http_requests_total HTTP requests answered, by route pattern, method and status.");
    out.push("# TYPE mfrec_http_requests_total counter");
    const all = [...this.series.values()].sort((a, b) => (a.route + a.method < b.route + b.method ? -1 : 1));
    for (const s of all) {
      for (const [status, n] of [...s.byStatus].sort((a, b) => a[0] - b[0])) {
        out.push(`mfrec_http_requests_total{method="${s.method}",route="${esc(s.route)}",status="${status}"} ${n}`);
      }
    }
    out.push("# HELP mfrec_http_request_duration_seconds Latency of HTTP requests, by route pattern and method.");
    out.push("# TYPE mfrec_http_request_duration_seconds histogram");
    for (const s of all) {
      const labels = `method="${s.method}",route="${esc(s.route)}"`;
      let cum = 0;
      for (let b = 0; b < LATENCY_BUCKETS.length; b++) {
        cum += s.buckets[b]!;
        out.push(`mfrec_http_request_duration_seconds_bucket{${labels},le="${LATENCY_BUCKETS[b]}"} ${cum}`);
      }
      out.push(`mfrec_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${s.count}`);
      out.push(`mfrec_http_request_duration_seconds_sum{${labels}} ${s.sum}`);
      out.push(`mfrec_http_request_duration_seconds_count{${labels}} ${s.count}`);
    }
    out.push("# HELP mfrec_model_version Registry version of the active model (0 when none is active).");
    out.push("# TYPE mfrec_model_version gauge");
    out.push(`mfrec_model_version ${g.modelVersion ?? 0}`);
    out.push("# HELP mfrec_ratings Ratings in the store.");
    out.push("# TYPE mfrec_ratings gauge");
    out.push(`mfrec_ratings ${g.ratings}`);
    out.push("# HELP mfrec_folded_in_users Users whose factor row is currently folded in (cached).");
    out.push("# TYPE mfrec_folded_in_users gauge");
    out.push(`mfrec_folded_in_users ${g.foldedInUsers}`);
    if (g.wal) {
      out.push("# HELP mfrec_wal_bytes Size of the SQLite write-ahead log file.");
      out.push("# TYPE mfrec_wal_bytes gauge");
      out.push(`mfrec_wal_bytes ${g.wal.walBytes}`);
      out.push("# HELP mfrec_wal_peak_bytes Largest WAL size the checkpoint worker has seen.");
      out.push("# TYPE mfrec_wal_peak_bytes gauge");
      out.push(`mfrec_wal_peak_bytes ${g.wal.peakWalBytes}`);
      out.push("# HELP mfrec_wal_truncations_total TRUNCATE checkpoints run because the WAL passed its limit.");
      out.push("# TYPE mfrec_wal_truncations_total counter");
      out.push(`mfrec_wal_truncations_total ${g.wal.truncations}`);
    }
    out.push("# HELP mfrec_uptime_seconds Seconds since the server started.");
    out.push("# TYPE mfrec_uptime_seconds gauge");
    out.push(`mfrec_uptime_seconds ${(Date.now() - this.startedAt) / 1000}`);
    out.push("# HELP mfrec_up 1 while the server answers.");
    out.push("# TYPE mfrec_up gauge");
    out.push(`mfrec_up ${g.up}`);
    return `${out.join("\n")}\n`;
  }
}

function esc(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
