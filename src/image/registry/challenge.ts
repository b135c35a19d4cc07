/**
 * WWW-Authenticate parsing (RFC 7235): one header may carry several
 * challenges (`Basic realm="x", Bearer realm="https://auth/token",service="reg",scope="repository:a/b:pull"`),
 * parameters may be quoted with backslash escapes. Registries use `Bearer`
 * (token service) or `Basic` (htpasswd).
 */

export interface Challenge {
  /** Lower-cased scheme: `bearer`, `basic`. */
  scheme: string;
  /** Parameters with lower-cased names. */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const s = header;
  let i = 0;
  const out: Challenge[] = [];

  const skipSpace = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && TOKEN_CHAR.test(s[i] as string)) i++;
    return s.slice(start, i);
  };
  /** Unquoted values: lenient (realms are URLs), up to the next comma or space. */
  const readBare = (): string => {
    const start = i;
    while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
    return s.slice(start, i);
  };
  const readQuoted = (): string => {
    i++; // opening quote
    let v = '';
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i];
      i++;
    }
    i++; // closing quote
    return v;
  };
  /** True when a `name=` parameter (not a new scheme) starts at i. */
  const paramAhead = (): boolean => {
    const save = i;
    skipSpace();
    const name = readToken();
    skipSpace();
    const isParam = name !== '' && s[i] === '=';
    i = save;
    return isParam;
  };

  while (i < s.length) {
    while (i < s.length && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) i++;
    const scheme = readToken();
    if (scheme === '') {
      i++; // skip a stray character rather than loop forever
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      skipSpace();
      if (!paramAhead()) break;
      skipSpace();
      const name = readToken().toLowerCase();
      skipSpace();
      i++; // '='
      skipSpace();
      challenge.params[name] = s[i] === '"' ? readQuoted() : readBare();
      skipSpace();
      if (s[i] !== ',') break;
      const save = i;
      i++;
      if (!paramAhead()) {
        i = save;
        break;
      }
    }
  }
  return out;
}
