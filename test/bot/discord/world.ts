import { Client } from 'discord.js';
import type { CommandLimiter, CommandServices } from '../../../commands/framework.js';
import { DiscordBot } from '../../../src/bot/discord/bot.js';
import { discordClientOptions, discordRest } from '../../../src/bot/discord/client.js';
import { DiscordDestination } from '../../../src/bot/discord/destination.js';
import { PauseNotices } from '../../../src/bot/discord/notices.js';
import { registerDiscordCommands } from '../../../src/bot/register.js';
import { CommandRateLimiter } from '../../../src/bot/shared/rate-limit.js';
import { KnownSymbols, RenderedCharts, ReplayPreview, StatusReport } from '../../../src/bot/shared/sources.js';
import { DeliveryPipeline } from '../../../src/delivery/pipeline.js';
import { EngineBarSource } from '../../../src/engine/bar-source.js';
import { Engine } from '../../../src/engine/engine.js';
import { STATISTICAL_DETECTORS } from '../../../src/engine/options.js';
import type { BarSource } from '../../../src/engine/ports/chart.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { AlertLog } from '../../../src/engine/services/alerts.js';
import { StoreRuleSource } from '../../../src/engine/services/rule-source.js';
import { SubscriptionService } from '../../../src/engine/services/subscriptions.js';
import { InlineTrainer } from '../../../src/engine/trainers.js';
import { InProcessQueueBackend } from '../../../src/queue/memory.js';
import { MemoryRateLimiter } from '../../../src/queue/rate-limit.js';
import { ChartRenderer } from '../../../src/render/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { FakeDiscord, type FakeChannel, type FakeGuild, type FakeUser } from '../../fakes/discord/index.js';
import { testSymbols, waveBarSource } from './helpers.js';

const renderer = new ChartRenderer();

export interface WorldOptions {
  /** Alerts from a real engine (statistical detectors) over the synthetic clock `now`. */
  engine?: boolean;
  services?: Partial<CommandServices>;
  limiter?: CommandLimiter;
  deferAfterMs?: number;
}

/**
 * Everything between a Discord user and an alert, in one process: the fake Discord, the real
 * discord.js client run by DiscordBot, the commands over a memory store, the delivery pipeline
 * with DiscordDestination on an in-process queue, charts from src/render, and optionally an
 * Engine whose rules come from the store. The server `Traders` is owned by `owner`; `alice` is a
 * plain member; `general` is its first channel.
 */
export class World {
  readonly errors: string[] = [];
  readonly now = { t: 0 };
  engine?: Engine;
  bot!: DiscordBot;
  pipeline!: DeliveryPipeline;
  services!: CommandServices;
  subscriptions!: SubscriptionService;
  alertLog!: AlertLog;
  readonly store = new MemoryStore();
  readonly queues = new InProcessQueueBackend();
  readonly ruleSource = new StoreRuleSource(this.store);
  owner!: FakeUser;
  alice!: FakeUser;
  guild!: FakeGuild;
  general!: FakeChannel;

  private constructor(readonly fake: FakeDiscord) {}

  static async start(o: WorldOptions = {}): Promise<World> {
    const w = new World(await FakeDiscord.start({ heartbeatIntervalMs: 10_000 }));
    await w.init(o);
    return w;
  }

  private async init(o: WorldOptions): Promise<void> {
    const { fake, store } = this;
    this.owner = fake.addUser('owner');
    this.alice = fake.addUser('alice');
    this.guild = fake.addGuild('Traders', this.owner);
    fake.addMember(this.guild, this.alice);
    this.general = [...this.guild.channels.values()][0]!;
    const log = (err: unknown, context: string) => void this.errors.push(`${context}: ${err instanceof Error ? err.stack : String(err)}`);

    let bars: BarSource = waveBarSource();
    if (o.engine) {
      this.engine = new Engine({
        options: { detectors: STATISTICAL_DETECTORS },
        clock: { now: () => this.now.t },
        rules: this.ruleSource,
        sink: { publish: (a) => this.pipeline.sink.publish(a) },
        trainer: new InlineTrainer(),
      });
      bars = new EngineBarSource(this.engine);
    }
    const symbols = testSymbols();
    this.subscriptions = new SubscriptionService({
      store,
      clock: systemClock,
      resolveSymbol: symbols.resolve,
      limits: { perUser: 20, perChat: 50 },
      onChange: () => void this.ruleSource.refresh(),
    });
    this.alertLog = new AlertLog(store);
    this.services = {
      subscriptions: this.subscriptions,
      alerts: this.alertLog,
      prices: { price: async () => null },
      symbols: new KnownSymbols(symbols.resolve, symbols.known),
      charts: new RenderedCharts(bars, renderer, this.alertLog),
      preview: new ReplayPreview(bars),
      status: new StatusReport({ feeds: () => [], store: store.kind }),
      ...o.services,
    };

    const rest = discordRest(fake.token, { apiBase: fake.apiBase });
    await registerDiscordCommands(rest, { applicationId: fake.applicationId });
    const notices = new PauseNotices({ rest, subscriptions: store, clock: systemClock });
    this.pipeline = new DeliveryPipeline({
      store,
      queues: this.queues,
      limiter: new MemoryRateLimiter(),
      clock: systemClock,
      destinations: [new DiscordDestination({ rest, onLostAccess: (to, reason) => notices.tell(to, reason), log })],
      chart: { renderer, bars },
      onError: log,
      options: { burstWindowMs: 200, deliver: { attempts: 3, backoffMs: 50, concurrency: 4 }, rates: {} },
    });
    this.pipeline.start();

    this.bot = new DiscordBot({
      client: new Client(discordClientOptions({ apiBase: fake.apiBase })),
      token: fake.token,
      services: this.services,
      clock: systemClock,
      limiter: o.limiter ?? new CommandRateLimiter(),
      log,
      deferAfterMs: o.deferAfterMs,
    });
    await this.bot.start();
  }

  async drained(): Promise<void> {
    await this.fake.until(async () => (await this.pipeline.status()).every((q) => q.counts.waiting + q.counts.active + q.counts.delayed === 0), 'the queues to drain');
  }

  /** Messages the bot posted in a channel by itself (alerts), leaving out interaction replies. */
  alertsIn(c: FakeChannel) {
    return this.fake.messagesIn(c).filter((m) => m.source === 'channel');
  }

  async stop(): Promise<void> {
    await this.bot.stop();
    await this.pipeline.close();
    await this.queues.close();
    this.ruleSource.stop();
    await this.fake.close();
  }
}
