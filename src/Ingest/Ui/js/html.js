// Markup from data, escaped by construction. Every value interpolated into an html`...` template is escaped for
// text and quoted-attribute context (& < > " ' `), unless it is itself the result of html`...` (templates nest)
// or an array of such results (joined). Nothing else can mark a string safe, and render() takes only these
// results: a value from the wire cannot reach innerHTML without passing through the escaper.
// Interpolating into a URL attribute (href, src, action) also checks the scheme: only #/, / and http(s) pass.
// Interpolating into an event-handler attribute or an unquoted attribute value is a programming error and throws.
// The context of each value is read from the markup before it, so a template's own text must be well-formed markup
// (no bare < or > in text or attribute values: write &lt; &gt;).

const token = Symbol("html");

/** Markup built by html`...`; only this module can make one. */
class Html {
  #markup;
  constructor(key, markup) {
    if (key !== token) throw new TypeError("Html is made by the html`...` tag only");
    this.#markup = markup;
  }
  toString() { return this.#markup; }
}

const entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };
const escapeText = (s) => String(s).replace(/[&<>"'`]/g, (c) => entities[c]);

const urlAttributes = new Set(["href", "src", "action", "formaction", "xlink:href", "poster", "cite"]);
// An attribute being written when the value is interpolated: its name and what of its (quoted) value came before.
const openAttribute = /([^\s"'<>/=]+)\s*=\s*(?:"([^"]*)|'([^']*))$/;

/** The URL if it is one the UI links to (#/..., /... but not //..., http(s)://...), else a harmless "#". */
export function safeUrl(url) {
  const s = String(url ?? "");
  return /^(#\/|\/(?!\/)|https?:\/\/)/i.test(s) ? s : "#";
}

function markupOf(value) {
  if (value == null) return "";
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(markupOf).join("");
  return escapeText(value);
}

// Where in a tag the text so far leaves off: outside any tag, in an attribute value, or elsewhere inside a tag.
function contextOf(markup) {
  const lt = markup.lastIndexOf("<");
  if (lt <= markup.lastIndexOf(">")) return { inTag: false };
  const m = openAttribute.exec(markup.slice(lt));
  return m ? { inTag: true, attribute: m[1].toLowerCase(), before: m[2] ?? m[3] } : { inTag: true };
}

function interpolate(markup, value) {
  const at = contextOf(markup);
  if (!at.inTag) return markupOf(value);
  if (at.attribute !== undefined) {
    if (at.attribute.startsWith("on")) throw new Error(`html: no value may be interpolated into the ${at.attribute} attribute`);
    // A value that starts a URL decides its scheme; escaping leaves the scheme as it was, so check the escaped text.
    if (urlAttributes.has(at.attribute) && at.before === "") return safeUrl(markupOf(value));
    return markupOf(value);
  }
  // Between attributes: only markup (an attribute written by html`...`) or nothing; never a bare or unquoted value.
  if (value == null || value === "" || value instanceof Html) return markupOf(value);
  throw new Error("html: a value inside a tag must be a quoted attribute value");
}

/** Tagged template: escapes every interpolated value that is not itself an html result. */
export function html(strings, ...values) {
  // A template's strings arrive frozen, with their raw text; a hand-built array would be markup nobody escaped.
  if (!Object.isFrozen(strings) || !Array.isArray(strings.raw)) throw new TypeError("html is a template tag: html`...`");
  let markup = strings[0];
  values.forEach((value, i) => {
    markup += interpolate(markup, value) + strings[i + 1];
  });
  return new Html(token, markup);
}

/** The items joined by a separator (itself escaped unless an html result), as one html result. */
export const join = (items, separator) => html`${items.flatMap((item, i) => (i ? [separator, item] : [item]))}`;

/** Puts an html result into an element. A plain string is refused: it would be markup nobody escaped. */
export function render(element, content) {
  if (!(content instanceof Html)) throw new TypeError("render takes the result of html`...`, not a string");
  element.innerHTML = content.toString();
}
