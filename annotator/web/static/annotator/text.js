// Text helpers shared by the span editor and the review page (pure: no DOM, no state).
//
// The server counts offsets in code points, as Python does; the browser's strings and selections count
// UTF-16 units. Every offset crossing that boundary goes through utf16ToCodePoint / codePointToUtf16.


/** Number of code points in text[0:index) (index in UTF-16 units; inside a pair counts the whole pair). */
export function utf16ToCodePoint(text, index) {
  let points = 0;
  for (let i = 0; i < index && i < text.length; points += 1) {
    i += text.codePointAt(i) > 0xffff ? 2 : 1;
  }
  return points;
}

/** The UTF-16 index of code point number `points` in text. */
export function codePointToUtf16(text, points) {
  let i = 0;
  for (let k = 0; k < points && i < text.length; k += 1) {
    i += text.codePointAt(i) > 0xffff ? 2 : 1;
  }
  return i;
}

const WORD_CHAR = /^[\p{L}\p{N}\p{M}\p{Pc}]$/u;
const APOSTROPHE = /^['’]$/u;
// Trimmed from both ends of a selection: spaces, and quotation marks (a claim is the content only).
const TRIM_CHAR = /^[\s"“”„‟«»‹›‘’']$/u;

function charBefore(text, i) {
  if (i <= 0) return "";
  const low = text.charCodeAt(i - 1);
  const start = low >= 0xdc00 && low <= 0xdfff && i >= 2 ? i - 2 : i - 1;
  return text.slice(start, i);
}

function charAt(text, i) {
  if (i >= text.length) return "";
  return String.fromCodePoint(text.codePointAt(i));
}

function isWordChar(text, i, ch) {
  if (WORD_CHAR.test(ch)) return true;
  // An apostrophe inside a word ("Putin’s") belongs to it; at a word's edge it is a quotation mark.
  return APOSTROPHE.test(ch) && WORD_CHAR.test(charBefore(text, i)) && WORD_CHAR.test(charAt(text, i + 1));
}

/** Snap [start, end) (UTF-16) outwards to whole words, then trim spaces and quotes; null when empty. */
export function snapToWords(text, start, end) {
  start = Math.max(0, Math.min(start, text.length));
  end = Math.max(start, Math.min(end, text.length));
  const isLow = (i) => i > 0 && i < text.length && (text.charCodeAt(i) & 0xfc00) === 0xdc00;
  if (isLow(start)) start -= 1; // never split an astral character
  if (isLow(end)) end += 1;
  while (start > 0) {
    const before = charBefore(text, start);
    if (!isWordChar(text, start - before.length, before) || !isWordChar(text, start, charAt(text, start))) break;
    start -= before.length;
  }
  while (end < text.length) {
    const next = charAt(text, end);
    const last = charBefore(text, end);
    if (!isWordChar(text, end, next) || !isWordChar(text, end - last.length, last)) break;
    end += next.length;
  }
  while (start < end && TRIM_CHAR.test(charAt(text, start))) start += charAt(text, start).length;
  while (end > start && TRIM_CHAR.test(charBefore(text, end))) end -= charBefore(text, end).length;
  return start < end ? [start, end] : null;
}

/** [start, end) UTF-16 spans of the words of text (letters, digits, marks; inner apostrophes). */
export function wordSpans(text) {
  const spans = [];
  for (const m of text.matchAll(/[\p{L}\p{N}\p{M}\p{Pc}]+(?:['’][\p{L}\p{N}\p{M}\p{Pc}]+)*/gu)) {
    spans.push([m.index, m.index + m[0].length]);
  }
  return spans;
}

/** [start, end) UTF-16 spans of the sentences of text: . ! ? (and closing quotes) before a capital. */
export function sentenceSpans(text) {
  const spans = [];
  let start = 0;
  const ends = /[.!?]+["”’»)\]]*(?=\s+["“‘(\[]?[\p{Lu}\p{N}]|\s*$)/gu;
  for (const m of text.matchAll(ends)) {
    const before = text.slice(Math.max(0, m.index - 6), m.index);
    // "U.S. officials", "Mr. Kim": an initial or a title before the full stop does not end a sentence.
    if (m[0] === "." && /(?:^|[\s.(])(?:\p{Lu}|Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Rep|Gov|Lt|Col|No|vs)$/u.test(before)) continue;
    const end = m.index + m[0].length;
    const snapped = snapToWords(text, start, end);
    if (snapped) spans.push(snapped);
    start = end;
  }
  const rest = start < text.length ? snapToWords(text, start, text.length) : null;
  if (rest) spans.push(rest);
  return spans;
}

/** Split [0, length) at every span edge; each piece lists the keys of the spans covering it. */
export function segmentsFor(length, spans) {
  const edges = new Set([0, length]);
  for (const s of spans) {
    edges.add(s.start);
    edges.add(s.end);
  }
  const cuts = [...edges].filter((x) => x >= 0 && x <= length).sort((a, b) => a - b);
  const pieces = [];
  for (let i = 0; i + 1 < cuts.length; i += 1) {
    const [a, b] = [cuts[i], cuts[i + 1]];
    const covering = spans.filter((s) => s.start <= a && s.end >= b);
    pieces.push({ start: a, end: b, spans: covering });
  }
  return pieces;
}
