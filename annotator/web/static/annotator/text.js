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

// --- the span rule: annotator/labeling/span_rule.py, line for line (read its module doc for the rule) ---
// tests/e2e/test_span_rule_js.py runs both over tests/fixtures/span_rule_cases.json.

const QUOTES = new Set("\"'“”„‟«»‹›‘’‚‛「」『』《》（）");
const OPENING_CONTEXT = new Set("([{");
const ALWAYS_OPENS = new Set("「『《（");
const ALWAYS_CLOSES = new Set("」』》）");
// Marks that open after Chinese text with no space between ("表示：“", "的“"); ” and ’ there close.
const OPENS_AFTER_CHINESE = new Set("“‘");
const CHINESE_PUNCTUATION = new Set("，。！？；：、（【《「『“‘—…");
const FINAL_PUNCTUATION = new Set(".!?;:,。！？；：，、");
const ABBREVIATIONS = new Set(["Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Jr", "Sr", "Gen", "Sen", "Rep", "Gov",
  "Lt", "Col", "Capt", "Sgt", "Inc", "Ltd", "Co", "Corp", "Jan", "Feb", "Mar", "Apr", "Aug", "Sept", "Oct",
  "Nov", "Dec", "etc", "vs"]);
export const DEFAULT_SPAN_RULE = Object.freeze({ trim_spaces: true, trim_quotes: true, trim_final_punctuation: true });
const isSpace = (c) => /^\s$/u.test(c);
const isAlpha = (c) => /^\p{L}$/u.test(c);
const isRuleWordChar = (c) => /^[\p{L}\p{N}_]$/u.test(c);

let pageSpanRule = null;

/** Use this rule from now on (the page's project rule); by default it is read from the page config. */
export function setSpanRule(rule) {
  pageSpanRule = { ...DEFAULT_SPAN_RULE, ...(rule || {}) };
}

/** The page's span rule: as set, else `span_rule` of the editor's or review page's JSON config. */
export function spanRule() {
  if (pageSpanRule) return pageSpanRule;
  const node = typeof document === "undefined" ? null
    : document.getElementById("editor-config") || document.getElementById("review-config");
  let fromPage = null;
  try {
    fromPage = node ? JSON.parse(node.textContent).span_rule : null;
  } catch {
    fromPage = null; // a page without a readable config keeps the default rule
  }
  setSpanRule(fromPage);
  return pageSpanRule;
}

function isQuote(chars, i) {
  if (!QUOTES.has(chars[i])) return false;
  const insideWord = i > 0 && i < chars.length - 1 && isRuleWordChar(chars[i - 1]) && isRuleWordChar(chars[i + 1]);
  return !((chars[i] === "'" || chars[i] === "’") && insideWord);
}

/** A Han character (the CJK Unified Ideographs and their extensions), as span_rule.is_han. */
export function isHan(c) {
  const code = c ? c.codePointAt(0) : 0;
  return (code >= 0x3400 && code <= 0x9fff) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0x20000 && code <= 0x2ebef);
}

function opens(chars, i) {
  if (ALWAYS_OPENS.has(chars[i]) || ALWAYS_CLOSES.has(chars[i])) return ALWAYS_OPENS.has(chars[i]);
  const before = i > 0 ? chars[i - 1] : " ";
  const after = i + 1 < chars.length ? chars[i + 1] : " ";
  const followsOpening = isSpace(before) || OPENING_CONTEXT.has(before) || (QUOTES.has(before) && opens(chars, i - 1));
  const followsChinese = OPENS_AFTER_CHINESE.has(chars[i]) && (isHan(before) || CHINESE_PUNCTUATION.has(before));
  return (followsOpening || followsChinese) && !isSpace(after);
}

function trimQuotes(chars, start, end) {
  if (start >= end) return [start, end];
  const partners = new Map();
  const openMarks = [];
  for (let i = start; i < end; i += 1) {
    if (!isQuote(chars, i)) continue;
    if (opens(chars, i)) openMarks.push(i);
    else if (openMarks.length) {
      const j = openMarks.pop();
      partners.set(i, j);
      partners.set(j, i);
    }
  }
  const [first, last] = [start, end - 1];
  const trimFirst = isQuote(chars, first) && (partners.get(first) ?? last) === last;
  const trimLast = last > first && isQuote(chars, last) && (partners.get(last) ?? first) === first;
  return [start + (trimFirst ? 1 : 0), end - (trimLast ? 1 : 0)];
}

function isAbbreviationStop(chars, i) {
  if (chars[i] !== ".") return false;
  let letters = 0;
  let j = i;
  while (j >= 1 && chars[j] === "." && isAlpha(chars[j - 1]) && (j < 2 || !isAlpha(chars[j - 2]))) {
    letters += 1;
    j -= 2;
  }
  if (letters >= 2) return true;
  let wordStart = i;
  while (wordStart > 0 && isAlpha(chars[wordStart - 1])) wordStart -= 1;
  return ABBREVIATIONS.has(chars.slice(wordStart, i).join(""));
}

function normalisedOrNull(chars, start, end, rule) {
  const on = (name) => rule[name] ?? true;
  for (;;) {
    const before = [start, end];
    if (on("trim_spaces")) {
      while (start < end && isSpace(chars[start])) start += 1;
      while (end > start && isSpace(chars[end - 1])) end -= 1;
    }
    if (on("trim_quotes")) [start, end] = trimQuotes(chars, start, end);
    if (on("trim_final_punctuation") && end > start && FINAL_PUNCTUATION.has(chars[end - 1])
        && !isAbbreviationStop(chars, end - 1)) end -= 1;
    if (start === before[0] && end === before[1]) break;
  }
  return start < end ? [start, end] : null;
}

/** The span [start, end) (code points) with its edges moved in by the rule; unchanged if nothing remains. */
export function normaliseSpan(text, start, end, rule = DEFAULT_SPAN_RULE) {
  return normalisedOrNull(Array.from(text), start, end, rule) || [start, end];
}

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

// --- words in Chinese, Japanese and Korean: no spaces between them, so the browser's dictionary finds them ---

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const segmenters = new Map();

/** The word segmenter for CJK text in `lang`: that language when it is one, else Chinese (Han characters
 *  in a passage marked otherwise); null when the browser has no Intl.Segmenter. */
function cjkSegmenter(lang) {
  if (typeof Intl === "undefined" || typeof Intl.Segmenter !== "function") return null;
  const locale = /^(zh|ja|ko)\b/i.test(lang || "") ? lang : "zh";
  if (!segmenters.has(locale)) segmenters.set(locale, new Intl.Segmenter(locale, { granularity: "word" }));
  return segmenters.get(locale);
}

/** [start, end) UTF-16 spans of the words of a run of word characters that holds CJK text; without a
 *  segmenter each character is a word. */
function cjkWords(run, offset, lang) {
  const segmenter = cjkSegmenter(lang);
  if (!segmenter) return Array.from(run.matchAll(/./gsu), (m) => [offset + m.index, offset + m.index + m[0].length]);
  const words = [];
  for (const s of segmenter.segment(run)) {
    if (s.isWordLike) words.push([offset + s.index, offset + s.index + s.segment.length]);
  }
  return words;
}

/** [start, end) UTF-16 spans of the words of text (letters, digits, marks; inner apostrophes); a run
 *  with CJK characters is cut into words by the browser's word segmenter for `lang`. */
export function wordSpans(text, lang = "") {
  const spans = [];
  for (const m of text.matchAll(/[\p{L}\p{N}\p{M}\p{Pc}]+(?:['’][\p{L}\p{N}\p{M}\p{Pc}]+)*/gu)) {
    if (CJK.test(m[0])) spans.push(...cjkWords(m[0], m.index, lang));
    else spans.push([m.index, m.index + m[0].length]);
  }
  return spans;
}

/** Snap [start, end) (UTF-16) outwards to whole words, then apply the span rule; null when empty. Next to
 *  CJK characters a word is what the segmenter for `lang` (the passage's language) finds. */
export function snapToWords(text, start, end, rule = spanRule(), lang = "") {
  start = Math.max(0, Math.min(start, text.length));
  end = Math.max(start, Math.min(end, text.length));
  const isLow = (i) => i > 0 && i < text.length && (text.charCodeAt(i) & 0xfc00) === 0xdc00;
  if (isLow(start)) start -= 1; // never split an astral character
  if (isLow(end)) end += 1;
  const cjkAt = (i) => CJK.test(charBefore(text, i)) || CJK.test(charAt(text, i));
  const words = cjkAt(start) || cjkAt(end) ? wordSpans(text, lang) : [];
  if (cjkAt(start)) {
    const word = words.find(([a, b]) => a < start && start < b);
    if (word) start = word[0];
  } else {
    while (start > 0) {
      const before = charBefore(text, start);
      if (!isWordChar(text, start - before.length, before) || !isWordChar(text, start, charAt(text, start))) break;
      start -= before.length;
    }
  }
  if (cjkAt(end)) {
    const word = words.find(([a, b]) => a < end && end < b);
    if (word) end = word[1];
  } else {
    while (end < text.length) {
      const next = charAt(text, end);
      const last = charBefore(text, end);
      if (!isWordChar(text, end, next) || !isWordChar(text, end - last.length, last)) break;
      end += next.length;
    }
  }
  // The rule counts code points, as the server does; the selection counts UTF-16 units.
  const chars = Array.from(text);
  const points = normalisedOrNull(chars, utf16ToCodePoint(text, start), utf16ToCodePoint(text, end), rule);
  return points && [codePointToUtf16(text, points[0]), codePointToUtf16(text, points[1])];
}

/** [start, end) UTF-16 spans of the sentences of text: . ! ? (and closing quotes) before a capital, or the
 *  full-width 。！？ (and closing quotes) anywhere. */
export function sentenceSpans(text, lang = "") {
  const spans = [];
  let start = 0;
  const ends = /[.!?]+["”’»)\]]*(?=\s+["“‘(\[]?[\p{Lu}\p{N}]|\s*$)|[。！？]+[”’」』）]*/gu;
  for (const m of text.matchAll(ends)) {
    const before = text.slice(Math.max(0, m.index - 6), m.index);
    // "U.S. officials", "Mr. Kim": an initial or a title before the full stop does not end a sentence.
    if (m[0] === "." && /(?:^|[\s.(])(?:\p{Lu}|Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Rep|Gov|Lt|Col|No|vs)$/u.test(before)) continue;
    const end = m.index + m[0].length;
    const snapped = snapToWords(text, start, end, spanRule(), lang);
    if (snapped) spans.push(snapped);
    start = end;
  }
  const rest = start < text.length ? snapToWords(text, start, text.length, spanRule(), lang) : null;
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
