// Display formatting for DICOM values; the stored strings stay untouched elsewhere.

/** YYYYMMDD -> YYYY-MM-DD (ISO reads the same in every locale); anything else as stored. */
export function formatDicomDate(da: string | null | undefined): string {
  if (!da) return '—';
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : da;
}

/** PN "Family^Given^Middle^Prefix^Suffix" -> "FAMILY, Given Middle". */
export function formatPersonName(pn: string | null | undefined): string {
  if (!pn || pn.trim() === '') return '(no name)';
  const alphabetic = pn.split('=')[0] ?? pn;
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = alphabetic.split('^').map((s) => s.trim());
  const first = [prefix, given, middle].filter(Boolean).join(' ');
  const name = [family, first].filter(Boolean).join(', ');
  return [name, suffix].filter(Boolean).join(' ') || pn;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function formatSex(s: string | null | undefined): string {
  if (!s) return '';
  return ({ M: 'male', F: 'female', O: 'other' } as Record<string, string>)[s.toUpperCase()] ?? s;
}

/** The last one or two segments of a path, for lists where full staging paths are noise. */
export function shortPath(p: string): string {
  const parts = p.split(/[\\/]/).filter(Boolean);
  return parts.slice(-2).join('/');
}

/**
 * A path from an import report as the user knows it: files the browser uploaded sit under the
 * bridge's staging/<upload id>/ folder, which means nothing to them, so only the name they chose
 * (with its folder for folder imports) is shown.
 */
export function displayImportPath(p: string): string {
  const staged = /[\\/]staging[\\/][0-9a-f]{32}[\\/](.+)$/.exec(p);
  if (staged) return staged[1]!.replace(/\\/g, '/');
  return shortPath(p);
}
