/** Text lines of a stream with their 1-based numbers; CRLF tolerated. */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

export interface Line {
  text: string;
  number: number;
}

export async function* readLines(stream: Readable): AsyncGenerator<Line> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let number = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    rest += decoder.write(chunk);
    let start = 0;
    for (;;) {
      const nl = rest.indexOf('\n', start);
      if (nl < 0) break;
      let text = rest.slice(start, nl);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      yield { text, number: ++number };
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.end();
  if (rest.length > 0) yield { text: rest.endsWith('\r') ? rest.slice(0, -1) : rest, number: ++number };
}
