/**
 * Media helpers shared by both request translators: parse `data:` URLs (OpenAI image/file parts)
 * into Anthropic base64 sources, and build `data:` URLs back from them.
 * Only the media types Anthropic accepts are mapped: png/jpeg/gif/webp images and PDF documents.
 */
import { invalidRequest } from '../core/errors.ts';
import type { AnthropicDocumentBlockParam, AnthropicImageBlockParam, AnthropicImageMediaType } from '../wire/anthropic.ts';

const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export interface DataUrl {
  mediaType: string;
  data: string;
}

/** Parses `data:<type>[;params];base64,<data>`; returns null when `url` is not a data URL. */
export function parseDataUrl(url: string, param: string): DataUrl | null {
  if (url.length < 5 || url.slice(0, 5).toLowerCase() !== 'data:') return null;
  const comma = url.indexOf(',');
  const meta = comma < 0 ? '' : url.slice(5, comma).toLowerCase();
  const semi = meta.indexOf(';');
  if (comma < 0 || semi < 0 || !meta.split(';').includes('base64')) {
    throw invalidRequest('Only base64-encoded data URLs are supported (data:<type>;base64,<data>)', { param });
  }
  let mediaType = meta.slice(0, semi).trim();
  if (mediaType === 'image/jpg') mediaType = 'image/jpeg';
  return { mediaType, data: url.slice(comma + 1) };
}

/** Builds an Anthropic image or PDF document block from decoded data-URL parts. */
export function blockFromData(d: DataUrl, param: string): AnthropicImageBlockParam | AnthropicDocumentBlockParam {
  if (IMAGE_TYPES.has(d.mediaType)) {
    return { type: 'image', source: { type: 'base64', media_type: d.mediaType as AnthropicImageMediaType, data: d.data } };
  }
  if (d.mediaType === 'application/pdf') {
    return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: d.data } };
  }
  throw invalidRequest(`Unsupported media type '${d.mediaType || '(none)'}': supported are image/png, image/jpeg, image/gif, image/webp and application/pdf`, {
    param,
  });
}

/** OpenAI `image_url.url` → Anthropic block: data URLs → base64 source, http(s) → url source. */
export function blockFromImageUrl(url: unknown, param: string): AnthropicImageBlockParam | AnthropicDocumentBlockParam {
  if (typeof url !== 'string' || url === '') throw invalidRequest('image_url.url must be a non-empty string', { param });
  const d = parseDataUrl(url, param);
  if (d) return blockFromData(d, param);
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalidRequest('image_url.url must be an http(s) URL or a base64 data URL', { param });
}

export const toDataUrl = (mediaType: string, data: string) => `data:${mediaType};base64,${data}`;
