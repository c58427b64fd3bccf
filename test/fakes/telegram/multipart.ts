/** A multipart/form-data reader for the fake Bot API: fields as text, files as bytes. */
export interface MultipartFile {
  filename: string;
  bytes: Uint8Array;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: Record<string, MultipartFile>;
}

/**
 * Parses a multipart body. Header names and parameters are read loosely (grammY writes
 * `content-disposition:form-data;name="x";filename=y` without spaces or quotes around the file
 * name), as Telegram's server accepts them.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const out: MultipartBody = { fields: {}, files: {} };
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    let start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // The part ends with CRLF before the next delimiter.
    const part = body.subarray(start, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename=(?:"([^"]*)"|([^;\r\n]+))/i.exec(headers);
    if (name !== undefined) {
      if (filename) out.files[name] = { filename: (filename[1] ?? filename[2] ?? '').trim(), bytes: new Uint8Array(content) };
      else out.fields[name] = content.toString('utf8');
    }
    pos = next;
  }
  return out;
}
