import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, TemporaryError } from '../../src/engine/core/errors.js';
import type { OutboundMessage } from '../../src/engine/ports/destination.js';
import { classifySmtpError, createEmailDestination, EmailDestination } from '../../src/delivery/destinations/email.js';
import { burstText } from '../../src/delivery/message.js';
import { makeAlert } from '../store/conformance.js';
import { PNG } from './fakes.js';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

const mails: Mail[] = [];
let server: SMTPServer;
let port: number;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('gone@')) return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      if (address.address.startsWith('busy@')) return cb(Object.assign(new Error('try again later'), { responseCode: 451 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const alert = makeAlert();
const targets = [
  { name: 'ops', to: ['ops@example.test', 'oncall@example.test'] },
  { name: 'gone', to: ['gone@example.test'] },
  { name: 'busy', to: ['busy@example.test'] },
];
const dest = () => EmailDestination.smtp({ host: '127.0.0.1', port, secure: false, timeoutMs: 5_000 }, { from: 'tickwatch@example.test', targets });
const msg = (name: string, over: Partial<OutboundMessage> = {}): OutboundMessage => ({
  deliveryId: `${alert.id}.e-${name}`,
  to: { platform: 'email', chatId: name },
  kind: 'alert',
  alerts: [alert],
  text: '[ALERT] BTC/USDT anomaly detected!\nPrice: 63870.5',
  mentions: [],
  chart: { png: PNG, fileName: `${alert.id}.png` },
  ...over,
});

describe('EmailDestination against a local SMTP server', () => {
  it('sends the alert text with the chart inline (cid) and a Message-ID derived from the delivery id', async () => {
    const d = dest();
    const receipt = await d.send(msg('ops'));
    d.close();
    const m = mails.at(-1) as Mail;
    expect(m.from).toBe('tickwatch@example.test');
    expect(m.to).toEqual(['ops@example.test', 'oncall@example.test']);
    // Undo soft line breaks (quoted-printable) and folded headers.
    const raw = m.raw.replace(/=\r?\n/g, '').replace(/\r?\n[ \t]+/g, ' ');
    expect(raw).toMatch(/^Subject: \[ALERT\] BTC\/USDT \+6\.4% in 2 minutes on binance/m);
    expect(raw).toContain(`Message-ID: <${alert.id}.e-ops@tickwatch>`);
    expect(raw).toContain(`X-Tickwatch-Delivery: ${alert.id}.e-ops`);
    const cid = `chart.${alert.id}.e-ops@tickwatch`;
    expect(raw).toContain(`Content-ID: <${cid}>`);
    expect(raw).toContain(`src=3D"cid:${cid}"`);
    expect(m.raw).toContain(Buffer.from(PNG).toString('base64'));
    expect(receipt.messageId).toBe(`<${alert.id}.e-ops@tickwatch>`);
  });

  it('uses the burst summary as the subject of a merged message', async () => {
    const d = dest();
    const alerts = [alert, makeAlert({ symbol: 'ETH/USDT', id: 'eth-1' })];
    await d.send(msg('ops', { kind: 'burst', alerts, text: burstText(alerts, 5, 5_000), deliveryId: 'burst.x.1' }));
    d.close();
    expect((mails.at(-1) as Mail).raw).toMatch(/^Subject: \[MARKET-WIDE MOVE\] 2 of 5 pairs moved within 5 seconds/m);
  });

  it('GIVEN a 5xx rejection THEN the send fails permanently; a 4xx or an unreachable server fails temporarily', async () => {
    const d = dest();
    const gone = await d.send(msg('gone')).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(PermanentError);
    expect((gone as PermanentError).reason).toBe('smtp 550');
    await expect(d.send(msg('busy'))).rejects.toBeInstanceOf(TemporaryError);
    d.close();
    const nowhere = EmailDestination.smtp({ host: '127.0.0.1', port: 1, secure: false, timeoutMs: 2_000 }, { from: 'a@b.test', targets });
    await expect(nowhere.send(msg('ops'))).rejects.toBeInstanceOf(TemporaryError);
    nowhere.close();
    expect(classifySmtpError({ code: 'EAUTH', message: 'Invalid login' }, 'ops')).toBeInstanceOf(PermanentError);
  });

  it('GIVEN plain options THEN createEmailDestination mails the route with the chart inline; bad options are refused with every problem named', async () => {
    const d = createEmailDestination({ host: '127.0.0.1', port, from: 'alerts@example.test', targets: [{ name: 'desk', to: ['desk@example.test'] }], timeoutMs: 5_000 });
    await d.send(msg('desk'));
    d.close();
    const m = mails.at(-1) as Mail;
    expect(m.from).toBe('alerts@example.test');
    expect(m.to).toEqual(['desk@example.test']);
    const raw = m.raw.replace(/=\r?\n/g, '').replace(/\r?\n[ \t]+/g, ' ');
    expect(raw).toMatch(/^Content-Type: image\/png/m);
    expect(raw).toContain(`src=3D"cid:chart.${alert.id}.e-desk@tickwatch"`);
    expect(m.raw).toContain(Buffer.from(PNG).toString('base64'));
    expect(() => createEmailDestination({ host: '', port: 0, from: ' ', user: 'u', targets: [{ name: 'a', to: [] }, { name: 'a', to: ['x@y.test'] }] })).toThrow(
      'email destination: host is empty; port 0 is not a TCP port; from is empty; user and pass go together; target "a" has no recipients; target "a" is named twice',
    );
  });
});
