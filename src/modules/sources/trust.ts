import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AppError, badInput } from '../../errors.js';
import { MODEL_JSON, MODEL_ONNX } from './manifest.js';

/**
 * A module source, parsed: an http(s) URL of a graph file, or a local directory. `modelUrl` is the
 * graph file the source names (model.json, or model.onnx for a URL ending in `.onnx`); for a URL
 * of a directory it is the directory's model.json and `directory` is true: the download then takes
 * the directory's model.onnx (with vocab.json) when the server has no model.json.
 */
export type ParsedSource =
  | { kind: 'url'; modelUrl: URL; directory: boolean }
  | { kind: 'path'; dir: string; modelPath: string };

/** The URL form of {@link ParsedSource}. */
export type UrlSource = Extract<ParsedSource, { kind: 'url' }>;

// A scheme of two or more characters: "C:\models" stays a (Windows) path.
const looksLikeUrl = (s: string) => /^[a-z][a-z0-9+.-]+:/i.test(s);

/**
 * Parses `ModuleSpec.source`: a directory path (absolute, or relative to the working directory),
 * a `file:` URL, or an `http:`/`https:` URL. A URL whose last segment ends in `.json` names
 * model.json itself, one ending in `.onnx` names model.onnx (an ONNX module: vocab.json is taken
 * from the same directory); otherwise it names the directory and `model.json` is appended (see
 * {@link ParsedSource}). A path ending in `model.json` or `model.onnx` names its directory.
 * Throws BAD_USER_INPUT for other schemes, malformed URLs and URLs that carry credentials.
 */
export function parseSource(source: string): ParsedSource {
  if (source.trim() === '') throw badInput('module source is empty: give a directory, a file: URL or an http(s) URL');
  if (!looksLikeUrl(source)) return localSource(path.resolve(source));
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw badInput(`module source "${source}" is not a valid URL`);
  }
  if (url.protocol === 'file:') {
    try {
      return localSource(path.resolve(fileURLToPath(url)));
    } catch (e) {
      throw badInput(`module source "${source}" is not a usable file: URL (${(e as Error).message})`);
    }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badInput(`module source "${source}" has unsupported scheme "${url.protocol}": use a directory, a file: URL or an http(s) URL`);
  }
  if (url.username || url.password) throw badInput(`module source "${url.host}${url.pathname}" must not carry credentials in its URL`);
  url.hash = '';
  const directory = !/\.(json|onnx)$/i.test(url.pathname);
  if (directory) url.pathname = url.pathname.replace(/\/?$/, `/${MODEL_JSON}`);
  return { kind: 'url', modelUrl: url, directory };
}

function localSource(p: string): ParsedSource {
  const file = path.basename(p);
  if (file === MODEL_JSON || file === MODEL_ONNX) return { kind: 'path', dir: path.dirname(p), modelPath: p };
  return { kind: 'path', dir: p, modelPath: path.join(p, MODEL_JSON) };
}

/**
 * A location as a comparable URL: http(s) URLs as WHATWG parses them (host lowercased, default
 * port dropped, `..` and `%2e%2e` segments resolved); paths and file: URLs as `file:` + the
 * absolute, `..`-free path. Null when it cannot be trusted at all (other schemes, encoded `/` or
 * `\` inside a segment, which a server might decode into a traversal).
 */
function comparable(location: string): URL | null {
  try {
    if (!looksLikeUrl(location)) return pathToFileURL(path.resolve(location));
    const url = new URL(location);
    if (url.protocol === 'file:') return pathToFileURL(path.resolve(fileURLToPath(url)));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    const segments = url.pathname.split('/').map(decodeURIComponent);
    if (segments.some((s) => s.includes('/') || s.includes('\\') || s === '.' || s === '..')) return null;
    return url;
  } catch {
    return null;
  }
}

/**
 * Is `source` (a URL, or a path: absolute, or resolved against the working directory) covered by
 * one of the `trusted` prefixes (entries may themselves be comma-separated, as in
 * SEMHUB_TRUSTED_MODULE_SOURCES)? Both sides are normalized first (see `comparable`). Coverage is
 * by whole components: the scheme and host:port must be equal, and the prefix's path must be the
 * source's path or a parent directory of it. So `https://good.com` does not cover
 * `https://good.com.evil.net/`, and `file:/opt/models` does not cover `/opt/models-evil/`.
 * A prefix ending in `/` covers only what is below it. Query strings are ignored.
 */
export function isTrusted(source: string, trusted: readonly string[]): boolean {
  const target = comparable(source);
  if (!target) return false;
  return trusted
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean)
    .some((t) => {
      const prefix = comparable(t);
      return prefix !== null && covers(prefix, target);
    });
}

function covers(prefix: URL, target: URL): boolean {
  if (prefix.protocol !== target.protocol || prefix.host !== target.host) return false;
  const p = prefix.pathname;
  const t = target.pathname;
  return p.endsWith('/') ? t.startsWith(p) : t === p || t.startsWith(`${p}/`);
}

/** The MODULE_UNTRUSTED refusal for `source`, naming it and the setting that would trust it. */
export function untrustedError(source: string, parsed: ParsedSource, what = 'module source'): AppError {
  const shown = parsed.kind === 'url' ? parsed.modelUrl.href : parsed.modelPath;
  const suggestion = parsed.kind === 'url' ? new URL('./', parsed.modelUrl).href : `${pathToFileURL(parsed.dir).href}/`;
  const also = shown === source ? '' : ` (${shown})`;
  return new AppError(
    'MODULE_UNTRUSTED',
    `${what} "${source}"${also} is not trusted: a module is executable code, so semhub loads it only from ` +
      `trusted sources. To trust it, add a prefix that covers it, e.g. "${suggestion}", to ` +
      `SEMHUB_TRUSTED_MODULE_SOURCES (comma-separated URL prefixes; file: for local directories).`,
    { source },
  );
}
