/**
 * What the docs test (test/e2e/docs.test.ts) reads from Markdown: fenced shell blocks, code
 * snippets, inline `mfrec …` commands, and the markers that say how to run a block.
 *
 * A marker is an HTML comment on the line(s) right before a fence (blank lines between are allowed):
 *
 *   <!-- docs-test: skip needs Spark -->              not run; reported as skipped with the reason
 *   <!-- docs-test: parse-only starts a server -->    each `mfrec …` command is parsed against the CLI
 *                                                      (command, arguments, flags, required options),
 *                                                      nothing is run; other commands are skipped
 *   <!-- docs-test: replace 500000 => 5000 -->        run with this text replaced first (repeatable,
 *                                                      `a => b | c => d` in one marker): smaller sizes
 *   <!-- docs-test: expect users\s+943 -->            the block's stdout must match this regex
 *
 * Several markers may precede one fence. Markers never change what a reader sees.
 */

/** How a block is run. */
export interface BlockMarkers {
  skip?: string;
  parseOnly?: string;
  replace: Array<[string, string]>;
  expect: RegExp[];
}

/** One fenced block. */
export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** The body, dedented by the fence's indentation. */
  body: string;
  markers: BlockMarkers;
}

const FENCE = /^(\s*)(```|~~~)\s*([\w+-]*)[^\n]*$/;
const MARKER = /^\s*<!--\s*docs-test:\s*(skip|parse-only|replace|expect)\b\s*(.*?)\s*-->\s*$/;

/** Parse the markers in `lines` (the comment lines before a fence). Unknown directives are an error, so a typo cannot silently run a block. */
export function parseMarkers(lines: readonly string[], where: string): BlockMarkers {
  const m: BlockMarkers = { replace: [], expect: [] };
  for (const l of lines) {
    const x = MARKER.exec(l);
    if (!x) throw new Error(`${where}: not a docs-test marker: ${l.trim()}`);
    const [, kind, arg = ""] = x;
    if (kind === "skip") m.skip = arg || "marked skip";
    else if (kind === "parse-only") m.parseOnly = arg || "marked parse-only";
    else if (kind === "expect") m.expect.push(new RegExp(arg, "m"));
    else {
      for (const pair of arg.split(" | ")) {
        const i = pair.indexOf(" => ");
        if (i < 0) throw new Error(`${where}: replace needs "from => to", got ${JSON.stringify(pair)}`);
        m.replace.push([pair.slice(0, i), pair.slice(i + 4)]);
      }
    }
  }
  return m;
}

/** Every fenced block of a Markdown text, with the markers before it. */
export function fencedBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split("\n");
  const out: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const f = FENCE.exec(lines[i]!);
    if (!f) continue;
    const indent = f[1]!.length;
    const fence = f[2]!;
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^\\s*${fence}\\s*$`).test(lines[j]!)) j++;
    const body = lines
      .slice(i + 1, j)
      .map((l) => (l.slice(0, indent).trim() === "" ? l.slice(indent) : l))
      .join("\n");
    // Markers: the comment lines right above the fence, skipping blank lines.
    const before: string[] = [];
    for (let k = i - 1; k >= 0; k--) {
      const l = lines[k]!;
      if (l.trim() === "") continue;
      if (!/^\s*<!--\s*docs-test:/.test(l)) break;
      before.unshift(l);
    }
    out.push({ file, line: i + 1, lang: f[3]!.toLowerCase(), body, markers: parseMarkers(before, `${file}:${i + 1}`) });
    i = j;
  }
  return out;
}

/** A shell block: labelled sh/bash/shell/console, or unlabelled with a first command line that runs mfrec, npm, npx, node or curl. */
export function isShellBlock(b: DocBlock): boolean {
  if (["sh", "bash", "shell", "console", "zsh"].includes(b.lang)) return true;
  if (b.lang !== "") return false;
  const first = b.body.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  return first !== undefined && /^\s*(\$ )?(mfrec|npm|npx|node|curl)\b/.test(first);
}

/** A code snippet to run as an ES module: js/ts blocks. */
export function isCodeBlock(b: DocBlock): boolean {
  return ["js", "mjs", "javascript", "ts", "typescript"].includes(b.lang);
}

/** The commands of a shell block: `\`-continued lines joined, blank and comment-only lines dropped, a leading "$ " removed. */
export function commandLines(body: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const raw of body.split("\n")) {
    const l = raw.replace(/^\s*\$ /, "");
    if (cur === "" && (l.trim() === "" || l.trim().startsWith("#"))) continue;
    if (/\\\s*$/.test(l)) {
      cur += `${l.replace(/\\\s*$/, "").trim()} `;
      continue;
    }
    out.push((cur + l.trim()).trim());
    cur = "";
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

/**
 * Split a command line into shell words (quotes removed) per simple command, dropping a trailing
 * `# comment`; `&&`, `||`, `;` and `|` separate commands. Enough for the docs' commands, not a shell.
 */
export function shellCommands(line: string): string[][] {
  const cmds: string[][] = [[]];
  let word: string | undefined;
  const push = () => {
    if (word !== undefined) cmds[cmds.length - 1]!.push(word);
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      word = (word ?? "") + line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    } else if (c === " " || c === "\t") push();
    else if (c === "#" && word === undefined) break;
    else if (c === "&" || c === "|" || c === ";") {
      push();
      if (line[i + 1] === c) i++;
      if (cmds[cmds.length - 1]!.length > 0) cmds.push([]);
    } else word = (word ?? "") + c;
  }
  push();
  return cmds.filter((c) => c.length > 0);
}

/** The arguments after `mfrec` of every mfrec command in a line (environment assignments before it skipped). */
export function mfrecInvocations(line: string): string[][] {
  const out: string[][] = [];
  for (const words of shellCommands(line)) {
    let k = 0;
    while (k < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k]!)) k++;
    if (words[k] === "mfrec") out.push(words.slice(k + 1));
  }
  return out;
}

/**
 * Inline `mfrec …` code spans outside fenced blocks that are whole commands rather than a mention of
 * one (`mfrec train`, `mfrec export-ratings --format parquet`): they name a file (a word with a
 * `.ext` or a `/`) and hold no placeholder (`<…>`, `[…]`, `…`, `...`, `|`). Their lines are 1-based.
 */
export function inlineCommands(text: string): Array<{ line: number; command: string }> {
  const out: Array<{ line: number; command: string }> = [];
  const lines = text.split("\n");
  let inFence = false;
  // Join a paragraph's lines so a span broken across lines is seen whole; remember the first line.
  let para: { start: number; text: string } | undefined;
  const flush = () => {
    if (!para) return;
    for (const m of para.text.matchAll(/`(mfrec [^`]+)`/g)) {
      const cmd = m[1]!.replace(/\s+/g, " ").trim();
      if (/[<>[\]…|]|\.\.\./.test(cmd) || !cmd.split(" ").some((w) => /\/|\w\.\w+$/.test(w))) continue;
      out.push({ line: para.start + (para.text.slice(0, m.index).match(/\n/g)?.length ?? 0), command: cmd });
    }
    para = undefined;
  };
  lines.forEach((l, i) => {
    if (FENCE.test(l)) {
      flush();
      inFence = !inFence;
      return;
    }
    if (inFence) return;
    if (l.trim() === "") {
      flush();
      return;
    }
    if (para) para.text += `\n${l}`;
    else para = { start: i + 1, text: l };
  });
  flush();
  return out;
}
