/**
 * DOM builders for the console. Every piece of data enters the page as a text node or an
 * attribute value set through the DOM API — never as HTML — so user data (org and key names,
 * notes, model ids) cannot inject markup. There is no innerHTML anywhere in the console.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** What a builder accepts as a child: nodes, text, numbers, nothing (skipped) and nested lists. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

type Listeners = { [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => unknown };

/** Builder props: the special ones below, and any attribute (string, number or true). */
export interface Props {
  class?: string | ReadonlyArray<string | false | null | undefined>;
  text?: string | number;
  on?: Listeners;
  dataset?: Record<string, string>;
  style?: Partial<Record<'width' | 'height' | 'color' | 'background' | 'left' | 'top', string>>;
  hidden?: boolean;
  value?: string;
  checked?: boolean;
  disabled?: boolean;
  [attribute: string]: unknown;
}

function append(el: Element, children: readonly Child[]): void {
  for (const c of (children as Child[]).flat(Infinity as 1) as Child[]) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * h('button', {class: 'primary', on: {click}, type: 'submit'}, 'Save')
 * Props: class, text, on (event listeners), dataset, style (object, via CSSOM), hidden,
 * value/checked/disabled (properties); anything else becomes an attribute.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  const any = el as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : String(v);
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v as Record<string, EventListener>)) el.addEventListener(ev, fn);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') Object.assign(el.style, v);
    else if (k === 'hidden' || k === 'value' || k === 'checked' || k === 'disabled') any[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** svg('rect', {x: 1, y: 2, class: 'bar'}, svg('title', {}, 'tooltip')) */
export function svg(tag: string, attrs: Record<string, unknown> = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') for (const [dk, dv] of Object.entries(v as Record<string, unknown>)) el.setAttribute(`data-${dk}`, String(dv));
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** Appends children (skipping null, undefined and false). */
export function add<E extends Element>(el: E, ...children: Child[]): E {
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function replace<E extends Element>(el: E, ...children: Child[]): E {
  el.replaceChildren();
  append(el, children);
  return el;
}
