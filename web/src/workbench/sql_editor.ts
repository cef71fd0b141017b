// The SQL editor: CodeMirror 6 with PostgreSQL highlighting, completion of keywords and of the
// catalog's namespaces, tables and columns, and Ctrl+Enter (Cmd+Enter) to run.
import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { PostgreSQL, sql } from "@codemirror/lang-sql";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder,
} from "@codemirror/view";
import { statementAt } from "./statements";

export class SqlEditor {
  readonly view: EditorView;
  private readonly language = new Compartment();

  constructor(parent: HTMLElement, text: string, onRun: () => void) {
    const run = (view: EditorView) => {
      closeCompletion(view);
      onRun();
      return true;
    };
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: text,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightActiveLine(),
          drawSelection(),
          EditorView.lineWrapping,
          history(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          autocompletion({ activateOnTyping: true }),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          placeholder("SELECT … — Ctrl+Enter runs the statement under the cursor or the selection"),
          this.language.of(sql({ dialect: PostgreSQL, upperCaseKeywords: true })),
          Prec.highest(keymap.of([{ key: "Mod-Enter", run }])),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
          EditorView.theme({ "&": { height: "100%" }, ".cm-scroller": { overflow: "auto" } }),
        ],
      }),
    });
  }

  setSchema(schema: Record<string, Record<string, string[]>>, defaultSchema?: string): void {
    this.view.dispatch({
      effects: this.language.reconfigure(sql({ dialect: PostgreSQL, upperCaseKeywords: true, schema, defaultSchema })),
    });
  }

  text(): string {
    return this.view.state.doc.toString();
  }

  setText(text: string): void {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }

  // The selection when there is one, else the statement under the cursor.
  statement(): string {
    const selection = this.view.state.selection.main;
    if (!selection.empty) return this.view.state.sliceDoc(selection.from, selection.to).trim();
    return statementAt(this.text(), selection.head);
  }

  focus(): void {
    this.view.focus();
  }
}
