/**
 * Text an image supplies (paths, package names and versions, history lines,
 * advisory text) is data: written raw to a terminal, `ESC ] 0 ; … BEL`
 * retitles the window and `ESC [ 2 J` clears the screen. Everything such text
 * passes through on its way to a terminal or a message is escaped here:
 * C0 controls (newlines included: one item, one line), DEL and the C1
 * controls (U+0080–U+009F, which some terminals take as CSI/OSC) become
 * `\xNN`; bidirectional overrides, which reorder what is shown, become
 * `\u{NNNN}`.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export function hasControlCharacters(text: string): boolean {
  return HAS_CONTROL.test(text);
}

export function escapeForTerminal(text: string, options: { keepNewlines?: boolean } = {}): string {
  if (!HAS_CONTROL.test(text)) return text;
  return text.replace(CONTROL, (c) => {
    if (c === '\n' && options.keepNewlines) return c;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}
