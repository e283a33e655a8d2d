#!/usr/bin/env node
/**
 * The dependency rules of DESIGN.md, checked over the TypeScript import
 * graph of src/ (test files included unless a rule says otherwise):
 *
 *   no-cycle       no cycle of runtime imports (`import type` is erased and
 *                  does not count)
 *   ap-private     nothing outside src/ap imports src/ap, except the lab
 *                  and CLI wiring (src/lab, src/cli.ts)
 *   wps-pure       src/wps imports only src/wps, the pure helpers of
 *                  src/common, the event-name table of src/ctrl, node:crypto
 *                  and @noble/*: no I/O (its tests may also use src/wfa,
 *                  the contract built on it, and vitest / fast-check)
 *   upnp-generic   src/upnp imports only src/upnp and src/common: it knows
 *                  nothing of WPS (no wps, wfa, er, ap, proxy, ...)
 *   dist-clean     test doubles and tests never reach the published build:
 *                  nothing outside them imports them
 *   bench-own      bench/ imports nothing from test/
 *
 * With --vocabulary also:
 *   wlan-event-type  WlanEventType is defined in one source file
 *   event-names      each control-interface event name of
 *                    src/ctrl/event-names.ts is spelled (in a string,
 *                    template or regular expression) in no other non-test
 *                    source file
 *   one-error        every error class in src derives from WpsdError
 *                    (src/common/errors.ts), the one class that extends a
 *                    built-in Error; every error code (the type argument of
 *                    WpsdError, a string literal given to an error's
 *                    constructor, a literal compared with `.code`) is
 *                    UPPER_SNAKE
 *
 * Prints one line per violation and exits 1 when there is any.
 *   node scripts/check-layers.mjs [--vocabulary]
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const vocabulary = process.argv.includes('--vocabulary');

function walk(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const rel = (p) => relative(ROOT, p).split('\\').join('/');
const isTest = (f) => f.endsWith('.test.ts') || f.startsWith('test/');
/** Test doubles that live beside the source they stand in for, and are kept out of dist. */
const TEST_DOUBLES = new Set(['src/web/fake-backend.ts', 'src/web/test-client.ts']);

/** Imports of one file: { spec, typeOnly }. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      let typeOnly = false;
      if (ts.isImportDeclaration(node)) {
        const c = node.importClause;
        if (c?.isTypeOnly) typeOnly = true;
        else if (c && !c.name && c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0) {
          typeOnly = c.namedBindings.elements.every((e) => e.isTypeOnly);
        }
      } else {
        typeOnly = node.isTypeOnly;
      }
      out.push({ spec: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      out.push({ spec: node.arguments[0].text, typeOnly: false, dynamic: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { sf, out };
}

/** A relative specifier ("./x.js") to the repository path of its .ts source. */
function resolveSpec(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const abs = resolve(dirname(join(ROOT, from)), spec);
  const ts_ = abs.replace(/\.js$/, '.ts');
  if (existsSync(ts_)) return rel(ts_);
  if (existsSync(join(abs, 'index.ts'))) return rel(join(abs, 'index.ts'));
  return rel(ts_);
}

const files = [...walk(join(ROOT, 'src')), ...walk(join(ROOT, 'bench')), ...walk(join(ROOT, 'test'))].map(rel);
const graph = new Map();
const parsed = new Map();
for (const f of files) {
  const { sf, out } = importsOf(join(ROOT, f));
  parsed.set(f, sf);
  graph.set(
    f,
    out.map((i) => ({ ...i, target: resolveSpec(f, i.spec) })),
  );
}

const problems = [];
const report = (rule, msg) => problems.push(`${rule}: ${msg}`);
const under = (f, dir) => f.startsWith(`${dir}/`);

const WPS_ALLOWED_LOCAL = new Set(['src/common/colon-hex.ts', 'src/common/mac.ts', 'src/common/errors.ts', 'src/ctrl/event-names.ts']);
const WPS_ALLOWED_PACKAGES = [/^node:crypto$/, /^@noble\//];
const TEST_PACKAGES = [/^vitest$/, /^fast-check$/, /^node:(fs|path|url)$/];

for (const [f, imps] of graph) {
  for (const i of imps) {
    const t = i.target;
    // ap-private
    if (t !== undefined && under(t, 'src/ap') && under(f, 'src') && !under(f, 'src/ap') && !under(f, 'src/lab') && f !== 'src/cli.ts') {
      report('ap-private', `${f} imports ${t}`);
    }
    // wps-pure
    if (under(f, 'src/wps')) {
      const ok =
        t !== undefined
          ? under(t, 'src/wps') || WPS_ALLOWED_LOCAL.has(t) || (isTest(f) && under(t, 'src/wfa'))
          : WPS_ALLOWED_PACKAGES.some((r) => r.test(i.spec)) || (isTest(f) && TEST_PACKAGES.some((r) => r.test(i.spec)));
      if (!ok) report('wps-pure', `${f} imports ${t ?? i.spec}`);
    }
    // upnp-generic
    if (under(f, 'src/upnp') && t !== undefined && !under(t, 'src/upnp') && !under(t, 'src/common')) {
      report('upnp-generic', `${f} imports ${t}`);
    }
    // dist-clean
    if (t !== undefined && !isTest(f) && !TEST_DOUBLES.has(f) && (isTest(t) || TEST_DOUBLES.has(t))) {
      report('dist-clean', `${f} imports ${t}`);
    }
    // bench-own
    if (under(f, 'bench') && t !== undefined && under(t, 'test')) report('bench-own', `${f} imports ${t}`);
  }
}

// no-cycle: Tarjan's strongly connected components over runtime imports.
{
  const edges = new Map();
  for (const [f, imps] of graph) edges.set(f, imps.filter((i) => !i.typeOnly && i.target !== undefined && graph.has(i.target)).map((i) => i.target));
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), idx.get(w)));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? []).includes(v)) report('no-cycle', comp.sort().join(' <-> '));
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) strong(v);
}

if (vocabulary) {
  const sources = files.filter((f) => under(f, 'src') && !isTest(f) && !TEST_DOUBLES.has(f));
  // wlan-event-type
  const defining = sources.filter((f) => {
    let found = false;
    const visit = (n) => {
      if ((ts.isVariableDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isEnumDeclaration(n)) && n.name && ts.isIdentifier(n.name) && n.name.text === 'WlanEventType') found = true;
      if (!found) ts.forEachChild(n, visit);
    };
    visit(parsed.get(f));
    return found;
  });
  if (defining.length > 1) report('wlan-event-type', `WlanEventType is defined in ${defining.length} files: ${defining.join(', ')}`);

  // event-names
  const TABLE = 'src/ctrl/event-names.ts';
  if (!graph.has(TABLE)) {
    report('event-names', `${TABLE} is missing`);
  } else {
    const names = [];
    const visit = (n) => {
      if (ts.isPropertyAssignment(n) && ts.isStringLiteral(n.initializer) && /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/.test(n.initializer.text)) names.push(n.initializer.text);
      ts.forEachChild(n, visit);
    };
    visit(parsed.get(TABLE));
    const spelled = new Map(names.map((n) => [n, []]));
    for (const f of sources) {
      if (f === TABLE) continue;
      const texts = [];
      const v = (n) => {
        if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isRegularExpressionLiteral(n)) texts.push(n.text);
        else if (ts.isTemplateExpression(n)) {
          texts.push(n.head.text);
          for (const s of n.templateSpans) texts.push(s.literal.text);
        }
        ts.forEachChild(n, v);
      };
      v(parsed.get(f));
      for (const name of names) {
        const re = new RegExp(`(^|[^A-Z0-9-])${name.replace(/-/g, '\\-')}($|[^A-Z0-9-])`);
        if (texts.some((t) => re.test(t))) spelled.get(name).push(f);
      }
    }
    for (const [name, where] of spelled) if (where.length > 0) report('event-names', `${name} is spelled outside ${TABLE}: ${where.join(', ')}`);
  }
}

if (vocabulary) {
  // one-error
  const BASE = 'WpsdError';
  const BASE_FILE = 'src/common/errors.ts';
  const BUILTIN_ERRORS = new Set(['Error', 'RangeError', 'TypeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError']);
  const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
  const CODE_LIKE = /^[A-Za-z0-9_-]+$/;
  const srcFiles = files.filter((f) => under(f, 'src'));
  const parents = new Map();
  /** Class name to the index of its constructor's `code` parameter (-1: none, e.g. a constant code or one derived from a reason). */
  const codeParam = new Map();
  const classes = [];
  for (const f of srcFiles) {
    const visit = (n) => {
      if (ts.isClassDeclaration(n) || ts.isClassExpression(n)) {
        const ext = n.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
        const name = n.name?.text ?? '<anonymous>';
        const ctor = n.members.find((m) => ts.isConstructorDeclaration(m));
        if (ctor) codeParam.set(name, ctor.parameters.findIndex((q) => ts.isIdentifier(q.name) && q.name.text === 'code'));
        if (ext && ts.isIdentifier(ext.expression)) {
          classes.push({ f, name, parent: ext.expression.text, ext });
          parents.set(name, ext.expression.text);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(parsed.get(f));
  }
  const codeIndex = (name) => {
    for (let c = name, i = 0; c !== undefined && i < 20; c = parents.get(c), i++) if (codeParam.has(c)) return codeParam.get(c);
    return -1;
  };
  const derived = (name) => {
    for (let c = name, i = 0; c !== undefined && i < 20; c = parents.get(c), i++) if (c === BASE) return true;
    return false;
  };
  for (const c of classes) {
    if (c.name === BASE && c.f === BASE_FILE) continue;
    if (BUILTIN_ERRORS.has(c.parent)) report('one-error', `${c.f}: ${c.name} extends ${c.parent}, not ${BASE}`);
    else if (/Error$/.test(c.parent) && !derived(c.parent) && c.parent !== BASE) report('one-error', `${c.f}: ${c.name} extends ${c.parent}, which does not derive from ${BASE}`);
  }
  const badCode = (f, n, text, where) => {
    if (CODE_LIKE.test(text) && !UPPER_SNAKE.test(text)) {
      const { line } = parsed.get(f).getLineAndCharacterOfPosition(n.getStart(parsed.get(f)));
      report('one-error', `${f}:${line + 1}: error code '${text}' ${where} is not UPPER_SNAKE`);
    }
  };
  for (const f of srcFiles) {
    const sf = parsed.get(f);
    const aliases = new Map();
    ts.forEachChild(sf, (n) => {
      if (ts.isTypeAliasDeclaration(n)) aliases.set(n.name.text, n.type);
    });
    const literalsOf = (t, seen = new Set()) => {
      const out = [];
      const v = (n) => {
        if (ts.isLiteralTypeNode(n) && ts.isStringLiteral(n.literal)) out.push(n.literal);
        else if (ts.isTypeReferenceNode(n) && ts.isIdentifier(n.typeName) && aliases.has(n.typeName.text) && !seen.has(n.typeName.text)) {
          seen.add(n.typeName.text);
          out.push(...literalsOf(aliases.get(n.typeName.text), seen));
        }
        ts.forEachChild(n, v);
      };
      v(t);
      return out;
    };
    const visit = (n, cls) => {
      if ((ts.isClassDeclaration(n) || ts.isClassExpression(n)) && n.name) cls = n.name.text;
      if (ts.isExpressionWithTypeArguments(n) && ts.isIdentifier(n.expression) && n.expression.text === BASE) {
        for (const t of n.typeArguments ?? []) for (const lit of literalsOf(t)) badCode(f, lit, lit.text, `in ${BASE}<...>`);
      }
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && derived(n.expression.text)) {
        const a = n.arguments?.[codeIndex(n.expression.text)];
        if (a && ts.isStringLiteral(a)) badCode(f, a, a.text, `given to ${n.expression.text}`);
      }
      if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword && cls !== undefined) {
        const parent = classes.find((c) => c.name === cls && c.f === f)?.parent;
        const a = parent !== undefined && derived(parent) ? n.arguments[codeIndex(parent)] : undefined;
        if (a && ts.isStringLiteral(a)) badCode(f, a, a.text, `given to ${parent}`);
      }
      if (
        ts.isBinaryExpression(n) &&
        [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(n.operatorToken.kind) &&
        ts.isStringLiteral(n.right) &&
        (ts.isPropertyAccessExpression(n.left) || ts.isPropertyAccessChain?.(n.left)) &&
        n.left.name.text === 'code'
      ) {
        badCode(f, n.right, n.right.text, 'compared with .code');
      }
      ts.forEachChild(n, (c) => visit(c, cls));
    };
    visit(sf, undefined);
  }
}

for (const p of problems) console.log(p);
if (problems.length > 0) {
  console.log(`check-layers: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-layers: ${files.length} files, rules hold${vocabulary ? ' (with vocabulary)' : ''}`);
