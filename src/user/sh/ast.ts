// The shell's syntax tree. A program is a list of and-or lists, each possibly run in
// the background; an and-or list chains pipelines with && and ||; a pipeline joins
// commands with |; a command is a simple command or a compound one (if, while,
// until, for, case, { }, ( ), function definitions) whose bodies are programs again. Words keep their quoting so expansion (expand.ts) knows
// what to split and glob. parse.ts builds these; print.ts turns them back into text.

/** One piece of a word. `quoted` pieces are neither field-split nor globbed. */
export type WordPart =
  | { type: 'lit'; text: string; quoted: boolean }
  /** $NAME, ${NAME}, or a special parameter ? ! $ # @ * 0-9. */
  | { type: 'param'; name: string; quoted: boolean; op?: ParamOp }
  /** $(...) or `...`: the source text of the inner command line. */
  | { type: 'cmdsub'; source: string; quoted: boolean }
  /** $((...)): an integer expression (its text, expanded before evaluation). */
  | { type: 'arith'; source: string; quoted: boolean };

/** ${NAME:-word} and friends: `op` is ':-', '-', ':=', '=', ':+', '+', '#' (length). */
export interface ParamOp { op: ':-' | '-' | ':+' | '+' | ':=' | '=' | 'len'; word: Word }

export interface Word { parts: WordPart[] }

/** '<<' is a here-document (target: its body), '<<<' a here-string (target + newline). */
export type RedirOp = '<' | '>' | '>>' | '>|' | '<>' | '>&' | '<&' | '<<' | '<<<';

export interface Redirect {
  /** The descriptor redirected (defaults: 0 for < <& <>, 1 for the rest). */
  fd: number;
  op: RedirOp;
  /** A file name, or for >& and <& a descriptor number or '-' (close). */
  target: Word;
}

export interface Assignment { name: string; value: Word }

export interface SimpleCommand {
  kind: 'simple';
  assigns: Assignment[];
  words: Word[];
  redirs: Redirect[];
}

/** if / while / until / for / { ...; } / ( ... ), each with its own redirections. */
export type CompoundCommand =
  | { kind: 'if'; clauses: { cond: Program; body: Program }[]; elseBody: Program | null; redirs: Redirect[] }
  | { kind: 'while' | 'until'; cond: Program; body: Program; redirs: Redirect[] }
  | { kind: 'for'; name: string; words: Word[] | null; body: Program; redirs: Redirect[] }
  | { kind: 'group' | 'subshell'; body: Program; redirs: Redirect[] }
  | { kind: 'case'; word: Word; items: { patterns: Word[]; body: Program }[]; redirs: Redirect[] }
  /** NAME() COMMAND: defines a function; running the definition does not run the body. */
  | { kind: 'function'; name: string; body: CompoundCommand; redirs: Redirect[] };

export type Command = SimpleCommand | CompoundCommand;

export interface Pipeline {
  negate: boolean;
  commands: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
}

export interface ListItem {
  andOr: AndOr;
  background: boolean;
}

export type Program = ListItem[];
