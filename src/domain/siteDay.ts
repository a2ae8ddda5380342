/** The site's day of an ISO time: sampling days run on China Standard Time (UTC+8) unless told otherwise. */
export function siteDay(iso: string, utcOffsetMinutes = 480): string {
  return new Date(Date.parse(iso) + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** The moment (UTC, ISO) a site day begins: 00:00 Beijing time. `days` later for the start of a later day. */
export function siteDayStart(day: string, days = 0): string {
  return new Date(Date.parse(`${day}T00:00:00+08:00`) + days * 86_400_000).toISOString();
}
