/** The site's day of an ISO time: sampling days run on China Standard Time (UTC+8) unless told otherwise. */
export function siteDay(iso: string, utcOffsetMinutes = 480): string {
  return new Date(Date.parse(iso) + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}
