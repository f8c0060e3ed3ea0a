// Numbers and times as a person reads them. Pure functions; the pages only display.

/** "0.42 ms", "12 ms", "1.3 s"; "–" when unknown. */
export function millis(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "512 KiB", "3.5 MiB", "1.2 GiB"; "–" for nothing. */
export function bytes(n: number): string {
  if (!n) return "–";
  const mib = 1024 * 1024;
  if (n >= 1024 * mib) return `${(n / (1024 * mib)).toFixed(1)} GiB`;
  if (n >= mib) return `${(n / mib).toFixed(1)} MiB`;
  return `${Math.max(1, Math.round(n / 1024))} KiB`;
}

/** "0%", "12%", "0.5%" (one decimal below 1%, so a rare error still shows). */
export function percent(rate: number): string {
  const p = rate * 100;
  if (p > 0 && p < 1) return `${p.toFixed(1)}%`;
  return `${Math.round(p)}%`;
}

/** A rate per minute: "0", "4.5", "1,200". */
export function perMinute(rate: number): string {
  if (rate >= 100) return Math.round(rate).toLocaleString("en");
  return rate === 0 ? "0" : rate.toFixed(1);
}

/** How long since `sinceMs`: "45 s", "12 min", "3 h 5 min", "2 days". */
export function elapsed(sinceMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - sinceMs) / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const days = Math.floor(h / 24);
  return days === 1 ? "1 day" : `${days} days`;
}

/** The time of day of an epoch-millisecond instant, with milliseconds: "14:03:07.123". */
export function clock(atMs: number): string {
  const d = new Date(atMs);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}
