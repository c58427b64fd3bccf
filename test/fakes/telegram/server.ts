/**
 * A fake Telegram Bot API on 127.0.0.1 for the real grammY client: `POST /bot<TOKEN>/<method>`
 * with JSON or multipart bodies, answered as Telegram answers (`{ok, result}` or `{ok: false,
 * error_code, description, parameters}`). It long-polls getUpdates (offset acknowledges, timeout
 * holds the request), stores uploaded photos under file_ids that later sends may reuse, checks
 * HTML parse mode the way Telegram does, records every request, and can be scripted to answer
 * 429 with retry_after or 403 "bot was blocked by the user".
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readTelegramHtml } from './html.js';
import { parseMultipart, type MultipartFile } from './multipart.js';

export interface FakeUser {
  id: number;
  first_name: string;
  username?: string;
  is_bot?: boolean;
}

export interface FakeChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  is_forum?: boolean;
}

/** One request as the fake saw it, with what it answered. */
export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  files: Record<string, MultipartFile>;
  /** HTTP status answered. */
  status: number;
  /** For sends: the text or caption as a user sees it (HTML read), and its message. */
  visibleText?: string;
  links?: string[];
  result?: unknown;
}

export interface Failure {
  code: number;
  description: string;
  retryAfter?: number;
}

export const BLOCKED: Failure = { code: 403, description: 'Forbidden: bot was blocked by the user' };
export const tooMany = (retryAfter: number): Failure => ({ code: 429, description: `Too Many Requests: retry after ${retryAfter}`, retryAfter });

type Update = { update_id: number } & Record<string, unknown>;

interface Poller {
  offset: number;
  res: ServerResponse;
  timer: ReturnType<typeof setTimeout>;
}

/** Safety net for waitFor: a test that waits for something that never comes fails, it does not hang. */
const WAIT_LIMIT_MS = 20_000;
const CAPTION_MAX = 1024;
const TEXT_MAX = 4096;

export class FakeTelegram {
  readonly calls: RecordedCall[] = [];
  readonly bot: FakeUser;
  apiRoot = '';
  private server: Server | undefined;
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private readonly messageIds = new Map<number, number>();
  private readonly chats = new Map<number, FakeChat>();
  private readonly members = new Map<string, string>();
  private readonly files = new Map<string, Uint8Array>();
  private nextFile = 1;
  private readonly failures: { method: string; failure: Failure; times: number }[] = [];
  private readonly rules: ((call: RecordedCall) => Failure | undefined)[] = [];
  private readonly pollers = new Set<Poller>();
  private readonly waiters = new Set<{ pred: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void }>();
  private callbackIds = 1;
  commands: unknown[] = [];

  constructor(readonly token = '123456:TEST-token', username = 'tickwatch_test_bot') {
    this.bot = { id: Number(token.split(':')[0]), first_name: 'tickwatch', username, is_bot: true };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 500, description: `Internal Server Error: ${String(err)}` }));
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as AddressInfo;
    this.apiRoot = `http://127.0.0.1:${port}`;
    return this.apiRoot;
  }

  async close(): Promise<void> {
    for (const p of this.pollers) this.answerPoll(p, []);
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  // --- scripting ------------------------------------------------------------------------------

  /** The next `times` calls of `method` fail with `failure`. */
  failNext(method: string, failure: Failure, times = 1): void {
    this.failures.push({ method, failure, times });
  }

  /** Every call the rule returns a failure for fails with it (e.g. a chat that blocked the bot). */
  failWhen(rule: (call: RecordedCall) => Failure | undefined): void {
    this.rules.push(rule);
  }

  setMember(chatId: number, userId: number, status: 'creator' | 'administrator' | 'member' | 'left' | 'kicked'): void {
    this.members.set(`${chatId}:${userId}`, status);
  }

  /** A user writes in a chat; a leading `/command` carries its bot_command entity. */
  userSays(chat: FakeChat, from: FakeUser, text: string, opts: { threadId?: number } = {}): { updateId: number; messageId: number } {
    this.chats.set(chat.id, chat);
    const message_id = this.nextMessageId(chat.id);
    const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    const message: Record<string, unknown> = { message_id, date: nowS(), chat, from: { is_bot: false, ...from }, text };
    if (cmd) message['entities'] = [{ type: 'bot_command', offset: 0, length: cmd[0].length }];
    if (opts.threadId !== undefined) Object.assign(message, { message_thread_id: opts.threadId, is_topic_message: true });
    const updateId = this.push({ message });
    return { updateId, messageId: message_id };
  }

  /** A user presses an inline button of a message the bot sent. */
  pressButton(message: Record<string, unknown>, from: FakeUser, data: string): string {
    const id = String(this.callbackIds++);
    this.push({ callback_query: { id, from: { is_bot: false, ...from }, chat_instance: '1', data, message } });
    return id;
  }

  /** The bot's status in a chat changed (e.g. the user blocked it: `kicked` in a private chat). */
  memberUpdate(chat: FakeChat, from: FakeUser, status: 'kicked' | 'left' | 'member'): void {
    this.chats.set(chat.id, chat);
    this.push({
      my_chat_member: {
        chat,
        from: { is_bot: false, ...from },
        date: nowS(),
        old_chat_member: { status: 'member', user: this.bot },
        new_chat_member: { status, user: this.bot, ...(status === 'kicked' ? { until_date: 0 } : {}) },
      },
    });
  }

  // --- reading --------------------------------------------------------------------------------

  /** Successful sendMessage and sendPhoto calls, optionally to one chat. */
  sends(chatId?: number): RecordedCall[] {
    return this.calls.filter((c) => (c.method === 'sendMessage' || c.method === 'sendPhoto') && c.status === 200 && (chatId === undefined || Number(c.params['chat_id']) === chatId));
  }

  /** Bytes stored under a file_id (uploaded photos). */
  file(fileId: string): Uint8Array | undefined {
    return this.files.get(fileId);
  }

  /** Resolves with the first call (already recorded or to come) that matches. */
  waitFor(pred: (c: RecordedCall) => boolean, what = 'a matching request', from = 0): Promise<RecordedCall> {
    const found = this.calls.slice(from).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: (c: RecordedCall) => {
          clearTimeout(timer);
          resolve(c);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`fake Telegram: no ${what} arrived; calls so far: ${this.calls.map((c) => `${c.method}:${c.status}`).join(', ')}`));
      }, WAIT_LIMIT_MS);
      this.waiters.add(w);
    });
  }

  // --- the API --------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    const body = await readBody(req);
    if (!m) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = m as unknown as [string, string, string];
    const call: RecordedCall = { method, params: {}, files: {}, status: 200 };
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      const mp = parseMultipart(body, type);
      call.files = mp.files;
      for (const [k, v] of Object.entries(mp.fields)) call.params[k] = parseField(v);
    } else if (body.length) {
      call.params = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    }
    if (token !== this.token) return this.finish(res, call, { code: 401, description: 'Unauthorized' });
    const failure = this.scriptedFailure(call);
    if (failure) return this.finish(res, call, failure);
    if (method === 'getUpdates') return this.poll(req, res, call);
    const out = this.api(call);
    if ('code' in out) return this.finish(res, call, out);
    call.result = out.result;
    this.finish(res, call, undefined);
  }

  private scriptedFailure(call: RecordedCall): Failure | undefined {
    for (const rule of this.rules) {
      const f = rule(call);
      if (f) return f;
    }
    const i = this.failures.findIndex((f) => f.method === call.method);
    if (i < 0) return undefined;
    const f = this.failures[i] as { failure: Failure; times: number };
    if (--f.times <= 0) this.failures.splice(i, 1);
    return f.failure;
  }

  private finish(res: ServerResponse, call: RecordedCall, failure: Failure | undefined): void {
    if (failure) {
      call.status = failure.code;
      const parameters = failure.retryAfter !== undefined ? { retry_after: failure.retryAfter } : undefined;
      send(res, failure.code, { ok: false, error_code: failure.code, description: failure.description, ...(parameters ? { parameters } : {}) });
    } else {
      send(res, 200, { ok: true, result: call.result });
    }
    this.record(call);
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    for (const w of [...this.waiters]) {
      if (w.pred(call)) {
        this.waiters.delete(w);
        w.resolve(call);
      }
    }
  }

  private api(call: RecordedCall): { result: unknown } | Failure {
    const p = call.params;
    switch (call.method) {
      case 'getMe':
        return { result: { ...this.bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false } };
      case 'deleteWebhook':
      case 'setWebhook':
      case 'answerCallbackQuery':
        return { result: true };
      case 'setMyCommands':
        this.commands = (p['commands'] as unknown[]) ?? [];
        return { result: true };
      case 'getChatMember': {
        const userId = Number(p['user_id']);
        const status = this.members.get(`${Number(p['chat_id'])}:${userId}`) ?? 'member';
        return { result: { status, user: { id: userId, is_bot: false, first_name: `user ${userId}` } } };
      }
      case 'sendMessage': {
        const text = String(p['text'] ?? '');
        const read = this.readText(call, text, TEXT_MAX, 'message is too long');
        if (read) return read;
        return { result: this.message(Number(p['chat_id']), { text }, p) };
      }
      case 'sendPhoto':
        return this.sendPhoto(call);
      case 'editMessageText':
      case 'editMessageCaption': {
        const text = String(p['text'] ?? p['caption'] ?? '');
        const read = this.readText(call, text, call.method === 'editMessageText' ? TEXT_MAX : CAPTION_MAX, 'message is too long');
        if (read) return read;
        return { result: true };
      }
      default:
        return { code: 404, description: 'Not Found: method not found' };
    }
  }

  private sendPhoto(call: RecordedCall): { result: unknown } | Failure {
    const p = call.params;
    const caption = p['caption'] === undefined ? undefined : String(p['caption']);
    if (caption !== undefined) {
      const read = this.readText(call, caption, CAPTION_MAX, 'message caption is too long');
      if (read) return read;
    }
    const photo = String(p['photo'] ?? '');
    let fileId: string;
    if (photo.startsWith('attach://')) {
      const file = call.files[photo.slice('attach://'.length)];
      if (!file) return { code: 400, description: 'Bad Request: there is no photo in the request' };
      fileId = `photo-${this.nextFile++}`;
      this.files.set(fileId, file.bytes);
    } else if (this.files.has(photo)) {
      fileId = photo;
    } else {
      return { code: 400, description: 'Bad Request: wrong remote file identifier specified: Wrong string length' };
    }
    const sizes = [
      { file_id: `${fileId}-s`, file_unique_id: `${fileId}-us`, width: 320, height: 180, file_size: 1 },
      { file_id: fileId, file_unique_id: `${fileId}-u`, width: 1280, height: 720, file_size: this.files.get(fileId)?.length ?? 0 },
    ];
    return { result: this.message(Number(p['chat_id']), caption !== undefined ? { photo: sizes, caption } : { photo: sizes }, p) };
  }

  /** Reads HTML parse mode as Telegram does; returns the failure when it would refuse. */
  private readText(call: RecordedCall, text: string, max: number, tooLong: string): Failure | undefined {
    if (call.params['parse_mode'] === 'HTML') {
      const r = readTelegramHtml(text);
      if (!r.ok) return { code: 400, description: r.error };
      call.visibleText = r.text;
      call.links = r.links;
    } else {
      call.visibleText = text;
    }
    if (!call.visibleText.trim()) return { code: 400, description: 'Bad Request: message text is empty' };
    if (call.visibleText.length > max) return { code: 400, description: `Bad Request: ${tooLong}` };
    return undefined;
  }

  private message(chatId: number, content: Record<string, unknown>, p: Record<string, unknown>): Record<string, unknown> {
    const chat = this.chats.get(chatId) ?? { id: chatId, type: chatId < 0 ? 'supergroup' : 'private' };
    const out: Record<string, unknown> = { message_id: this.nextMessageId(chatId), date: nowS(), chat, from: this.bot, ...content };
    if (p['message_thread_id'] !== undefined) Object.assign(out, { message_thread_id: Number(p['message_thread_id']), is_topic_message: true });
    if (p['reply_markup'] !== undefined) out['reply_markup'] = p['reply_markup'];
    return out;
  }

  private nextMessageId(chatId: number): number {
    const n = (this.messageIds.get(chatId) ?? 0) + 1;
    this.messageIds.set(chatId, n);
    return n;
  }

  private push(content: Record<string, unknown>): number {
    const update = { update_id: this.nextUpdateId++, ...content };
    this.updates.push(update);
    for (const p of [...this.pollers]) this.answerPoll(p, this.pending(p.offset));
    return update.update_id;
  }

  private pending(offset: number): Update[] {
    return this.updates.filter((u) => u.update_id >= offset);
  }

  private poll(req: IncomingMessage, res: ServerResponse, call: RecordedCall): void {
    const offset = Number(call.params['offset'] ?? 0);
    // `offset` confirms every update below it: they are gone for good.
    if (offset > 0) this.updates = this.updates.filter((u) => u.update_id >= offset);
    const ready = this.pending(offset).slice(0, Number(call.params['limit'] ?? 100));
    const timeoutS = Number(call.params['timeout'] ?? 0);
    if (ready.length || timeoutS <= 0) {
      call.result = ready;
      this.finish(res, call, undefined);
      return;
    }
    const poller: Poller = { offset, res, timer: setTimeout(() => this.answerPoll(poller, []), timeoutS * 1000) };
    this.pollers.add(poller);
    // The client gave up (a runner stopping aborts its poll).
    res.on('close', () => {
      clearTimeout(poller.timer);
      this.pollers.delete(poller);
    });
  }

  private answerPoll(p: Poller, updates: Update[]): void {
    if (!this.pollers.delete(p)) return;
    clearTimeout(p.timer);
    const call: RecordedCall = { method: 'getUpdates', params: { offset: p.offset }, files: {}, status: 200, result: updates };
    this.finish(p.res, call, undefined);
  }
}

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

function parseField(v: string): unknown {
  if (/^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
