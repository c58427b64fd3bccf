export { FakeTelegram, BLOCKED, tooMany, type FakeChat, type FakeUser, type Failure, type RecordedCall } from './server.js';
export { readTelegramHtml } from './html.js';
export { parseMultipart } from './multipart.js';
