// `vioemu run … --transport nats://HOST:PORT --partition K/N`: one partition of
// one run per process, on any machine (docs/distributed.md, "One run over NATS").
//
//   partition 0, the coordinator:  vioemu run SCENARIO --transport URL --partition 0/N [--json] [--out DIR]
//   partitions 1..N-1:             vioemu run --transport URL --partition K/N
//
// The coordinator loads and checks the scenario, splits it as `--workers N`
// would (it must split into exactly N partitions), hands the resolved point
// and the split to one waiting process per partition (request/reply on
// vioemu.join.pK, a queue group: each offer reaches one process), starts the
// run once all N are there, runs partition 0 itself, collects the other
// partitions' outputs and builds the result exactly as a local run with N
// workers does. The other processes need no scenario files, only the same code.
import type { NatsConnection, NatsError } from 'nats';
import { formatNs } from '../kernel/time.ts';
import type { PartitionTaskInput, PartitionTaskOutput } from '../kernel/partitionTask.ts';
import { TRANSPORT_ERROR } from '../kernel/relayTransport.ts';
import { mergeOutputs, type PartitionPool } from '../kernel/runner.ts';
import { codeId, newQueueName, sameCode, sameData, workerName } from '../queue/protocol.ts';
import { createPartitionPool, taskConfig } from '../run/execute.ts';
import type { planPartitions } from '../run/partitioning.ts';
import { buildResult } from '../run/result.ts';
import type { ScenarioPoint } from '../scenario/load.ts';
import { Progress } from '../cli/progress.ts';
import { writeOutputs, type RunFlags } from '../cli/runCommand.ts';
import type { SignalStop } from '../cli/signals.ts';
import { UsageError } from '../cli/usage.ts';
import { checkClusterFlags } from './flags.ts';
import { NatsTransport } from './natsTransport.ts';
import type { NatsTarget } from './url.ts';
import { decodeWhole, encodeWhole, joinSubject, MIN_MAX_PAYLOAD, WIRE_FORMAT, type Offer, type OfferReply } from './wire.ts';

export async function clusterCommand(file: string | undefined, flags: RunFlags, stopped: () => boolean, signals: SignalStop): Promise<number> {
  const c = checkClusterFlags(file, flags);
  const say = (line: string) => signals.say(line + '\n');
  const nc = await connectNats(c.target);
  const pool = createPartitionPool(1);
  try {
    if (c.coordinator) return await coordinate(nc, pool, c.target, c.n, c.silenceMs, c.coordinator, flags, stopped, signals);
    return await servePartition(nc, pool, c.target, c.k, c.n, c.silenceMs, stopped, say, signals);
  } finally {
    if (!nc.isClosed()) await nc.close().catch(() => {});
    await pool.destroy();
  }
}

async function connectNats(t: NatsTarget): Promise<NatsConnection> {
  const { connect } = await import('nats');
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`,
      ...(t.user !== undefined ? { user: t.user, pass: t.pass } : {}),
      ...(t.token !== undefined ? { token: t.token } : {}),
      ...(t.tls ? { tls: {} } : {}),
      name: `vioemu ${workerName()}`,
      // Core NATS does not keep messages for a client that is away: a reconnect could not continue the run.
      reconnect: false,
      maxReconnectAttempts: 0,
      timeout: 5_000,
      pingInterval: 5_000,
      maxPingOut: 3,
    });
  } catch (e) {
    const err = e as NatsError & { errno?: string };
    const why = err.code === 'CONNECTION_REFUSED' ? 'ECONNREFUSED' : (err.code ?? err.message);
    throw new UsageError(`--transport ${t.shown}: cannot connect (${why})`);
  }
  // Offers and replies travel whole in one frame: a smaller limit would have them refused, unseen.
  const maxPayload = nc.info?.max_payload;
  if (maxPayload !== undefined && maxPayload < MIN_MAX_PAYLOAD) {
    await nc.close().catch(() => {});
    throw new UsageError(`--transport ${t.shown}: the server's max_payload is ${maxPayload} bytes; a run needs at least ${MIN_MAX_PAYLOAD}`);
  }
  return nc;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The input of partition `self`: the same as a local run with plan.partitions workers gives it. */
function taskInput(offer: Pick<Offer, 'point' | 'hostPartition' | 'lookaheadNs' | 'pace' | 'n'>, self: number): Omit<PartitionTaskInput, 'controlBuffer' | 'relay'> {
  const sc = offer.point.scenario;
  return {
    model: sc.model,
    cfg: taskConfig(sc),
    seed: sc.seed,
    endNs: sc.durationNs,
    lookaheadNs: offer.n > 1 ? offer.lookaheadNs : Infinity,
    hostPartition: offer.hostPartition,
    partitions: offer.n,
    self,
    ports: [],
    metricsPort: null,
    metricsIntervalMs: 250,
    build: { trace: false, perVcpuMetrics: false },
    pace: offer.pace,
    sampleEveryNs: 0,
  };
}

async function coordinate(
  nc: NatsConnection,
  pool: PartitionPool,
  target: NatsTarget,
  n: number,
  silenceMs: number,
  c: { point: ScenarioPoint; plan: ReturnType<typeof planPartitions>; pace: number },
  flags: RunFlags,
  stopped: () => boolean,
  signals: SignalStop,
): Promise<number> {
  const say = (line: string) => signals.say(line + '\n');
  const run = newQueueName(); // run-<UTC time>-<random>: unique, and a valid subject token
  const me = workerName();
  const sc = c.point.scenario;
  const base = { t: 'offer' as const, format: WIRE_FORMAT, run, n, coordinator: me, code: codeId(), point: c.point, hostPartition: c.plan.hostPartition, lookaheadNs: c.plan.lookaheadNs, pace: c.pace, silenceMs };
  const { deserialize, serialize } = await import('node:v8');
  if (!sameData(deserialize(serialize(c.point)), c.point)) throw new UsageError('--transport: the scenario does not survive serialization; it cannot travel to the partitions');
  // Offers travel whole, in one message: one the server would refuse would only be retried, silently, for ever.
  if (n > 1) {
    try {
      encodeWhole(nc, { ...base, k: n - 1 });
    } catch {
      throw new UsageError(`--transport ${target.shown}: this run's offer (the resolved scenario, ${serialize({ ...base, k: n - 1 }).length} bytes) is larger than the server's max_payload (${nc.info?.max_payload} bytes); raise max_payload in the NATS server's configuration`);
    }
  }
  const tr = new NatsTransport({ nc, run, self: 0, partitions: n, shown: target.shown, silenceMs, stopRequested: stopped, say });
  try {
    // 1. One process per partition 1..N-1.
    const names: string[] = new Array<string>(n).fill('');
    names[0] = me;
    const claim = async (k: number): Promise<boolean> => {
      let told = false;
      const declined = new Set<string>();
      while (!stopped() && !tr.failure) {
        try {
          const m = await nc.request(joinSubject(k), encodeWhole(nc, { ...base, k }), { timeout: 3_000 });
          const reply = decodeWhole<OfferReply>(m.data);
          if (reply.t === 'accept') {
            names[k] = reply.name;
            tr.watch([k]);
            say(`vioemu: partition ${k}/${n}: ${reply.name}`);
            if (!sameCode(reply.code, base.code)) say(`vioemu: warning: ${reply.name} runs other code (${reply.code.source}, node ${reply.code.node}; here ${base.code.source}, node ${base.code.node}): the result may differ from a local run`);
            return true;
          }
          // Once per process and reason: a busy process in the queue group may be asked again and again.
          if (!declined.has(`${reply.name}\0${reply.reason}`)) say(`vioemu: ${reply.name} declined partition ${k}/${n}: ${reply.reason}`);
          declined.add(`${reply.name}\0${reply.reason}`);
          if (!told && !reply.fatal) {
            say(`vioemu: waiting for partition ${k}/${n}: start \`vioemu run --transport ${target.shown} --partition ${k}/${n}\` on any machine`);
            told = true;
          }
        } catch (e) {
          if (nc.isClosed()) break;
          const code = (e as NatsError).code;
          if (!told && (code === '503' || code === 'TIMEOUT')) {
            say(`vioemu: waiting for partition ${k}/${n}: start \`vioemu run --transport ${target.shown} --partition ${k}/${n}\` on any machine`);
            told = true;
          }
        }
        await sleep(250);
      }
      return false;
    };
    say(`vioemu: run ${run}: ${n} partition${n === 1 ? '' : 's'} over NATS at ${target.shown}; this process is partition 0/${n}`);
    const claimed = await Promise.all(Array.from({ length: n - 1 }, (_, i) => claim(i + 1)));
    if (!claimed.every(Boolean)) {
      // A peer's abort before the start carries its own reason (e.g. its process was stopped), not the in-run echo.
      const why = tr.serverGone ? `NATS server at ${target.shown} went away before the run started` : tr.failure ? (tr.peerAbort ?? tr.failure.message) : 'stopped before the run started';
      for (let k = 1; k < n; k++) if (names[k]) tr.send(k, { t: 'cancel', reason: why });
      await nc.flush().catch(() => {});
      say(`vioemu: ${why}; nothing ran`);
      return signals.exitCode ?? 1;
    }

    // 2. The run: partition 0 here, the others in their processes.
    const wallStart = process.hrtime.bigint();
    const wallStartMs = Date.now();
    const wallSeconds = () => Number(process.hrtime.bigint() - wallStart) / 1e9;
    for (let k = 1; k < n; k++) tr.send(k, { t: 'go', names });
    const progress = new Progress();
    const ticker = setInterval(() => {
      const own = tr.ownProgress();
      let nowNs = own.nowNs;
      let events = own.events;
      for (let k = 1; k < n; k++) {
        nowNs = Math.min(nowNs, tr.progress[k]!.nowNs);
        events += tr.progress[k]!.events;
      }
      progress.update({ point: c.point.label, nowNs, endNs: sc.durationNs, events, wallSeconds: wallSeconds() });
    }, 250);
    let own: PartitionTaskOutput;
    try {
      own = await tr.runPartition(pool, taskInput({ ...base, n }, 0));
      // 3. The others' outputs (each peer is watched until its output is in: a silent one is given up on).
      while (tr.results.size + tr.gone.size < n - 1 && !tr.serverGone) await tr.changed();
    } finally {
      clearInterval(ticker);
      progress.done(c.point.label);
    }
    const outs: PartitionTaskOutput[] = [own];
    for (let k = 1; k < n; k++) {
      const got = tr.results.get(k);
      if (got) {
        outs.push(got.out);
        continue;
      }
      const why = tr.gone.get(k) ?? tr.failure?.message ?? 'no output';
      if (!tr.serverGone) say(`vioemu: no output from partition ${k} (${names[k]}): ${why}`);
      outs.push({
        self: k, hosts: [], reachedNs: own.reachedNs, events: tr.progress[k]!.events, xstateEvents: 0, windows: 0, crossMessages: 0, interrupted: true, trace: [],
        error: { name: TRANSPORT_ERROR, message: `no output from partition ${k} (${names[k]}): ${why}`, partition: k, atNs: own.reachedNs, echo: true },
        startedAtMs: NaN,
      });
    }
    const merged = mergeOutputs(outs, n);
    if (tr.serverGone) say(`vioemu: NATS server at ${target.shown} went away at virtual time ${formatNs(own.reachedNs)}; writing the partial result`);
    const w = wallSeconds();
    const startup = Number.isFinite(merged.simStartedAtMs) ? Math.min(w, Math.max(0, (merged.simStartedAtMs - wallStartMs) / 1e3)) : 0;
    const reason = `${c.plan.reason}; ${n} process${n === 1 ? '' : 'es'} over NATS`;
    const result = buildResult(sc, c.point.label, merged, w, c.plan.lookaheadNs, reason, startup);
    let code = writeOutputs(flags, [result], null, () => []);
    if (result.error) {
      say(`vioemu: run failed: ${result.error}`);
      code = 1;
    } else if (result.interrupted && !signals.received) {
      // Another partition's process was asked to stop: the result is partial although nothing failed here.
      say(`vioemu: run stopped at virtual time ${formatNs(merged.reachedNs)} by a signal to another partition's process; the result is partial`);
      code = 1;
    }
    return signals.exitCode ?? code;
  } finally {
    tr.close();
  }
}

async function servePartition(
  nc: NatsConnection,
  pool: PartitionPool,
  target: NatsTarget,
  k: number,
  n: number,
  silenceMs: number,
  stopped: () => boolean,
  say: (line: string) => void,
  signals: SignalStop,
): Promise<number> {
  const me = workerName();
  const code = codeId();
  say(`vioemu: partition ${k}/${n} (${me}) waiting for the coordinator on ${target.shown} (vioemu run SCENARIO --transport ${target.shown} --partition 0/${n})`);
  // 1. Wait for an offer of partition k.
  let taken = false;
  let fatal: string | null = null;
  let serverGone = false;
  void nc.closed().then(() => (serverGone = true));
  let accepted: { offer: Offer; tr: NatsTransport } | null = null;
  /** The run this process joined, and when it listens on that run's subject (its acceptance can be sent). */
  let joined: { run: string; ready: Promise<boolean> } | null = null;
  /** Coordinators of runs of another size already told (once each). */
  const otherN = new Set<string>();
  const sub = nc.subscribe(joinSubject(k), {
    queue: `vioemu.p${k}`,
    callback: (err, msg) => {
      if (err) return;
      const reply = (r: OfferReply) => {
        try {
          msg.respond(encodeWhole(nc, r));
        } catch {
          // the connection is gone: the loop below notices
        }
      };
      let offer: Offer;
      try {
        offer = decodeWhole<Offer>(msg.data);
      } catch (e) {
        reply({ t: 'decline', name: me, reason: `unreadable offer (${(e as Error).message})`, fatal: false });
        return;
      }
      if (taken) {
        // The coordinator of the run this process joined asks again: its first request timed out before the
        // answer came (a slow link, a pause). Say yes again, or both would wait for each other for ever.
        if (joined && offer.run === joined.run) return void joined.ready.then((ok) => ok && reply({ t: 'accept', name: me, code }));
        return void reply({ t: 'decline', name: me, reason: 'already taken by another run', fatal: false });
      }
      if (offer.format !== WIRE_FORMAT) {
        taken = true;
        fatal = `the coordinator ${offer.coordinator} speaks format ${offer.format}, this process ${WIRE_FORMAT}: run the same vioemu everywhere`;
        return void reply({ t: 'decline', name: me, reason: fatal, fatal: true });
      }
      if (offer.n !== n) {
        // Another run, of another size, on the same server (or a coordinator started with the wrong N): not
        // this process's run. Decline and keep waiting for a run of N partitions; exiting here let any run's
        // coordinator end the processes waiting for another run.
        if (!otherN.has(`${offer.coordinator}\0${offer.n}`)) say(`vioemu: declined partition ${k} of ${offer.coordinator}'s run: it runs ${offer.n} partitions, this process was started with --partition ${k}/${n}; still waiting for a run of ${n}`);
        otherN.add(`${offer.coordinator}\0${offer.n}`);
        return void reply({ t: 'decline', name: me, reason: `started with --partition ${k}/${n} (for runs of ${n} partitions)`, fatal: false });
      }
      taken = true;
      const tr = new NatsTransport({ nc, run: offer.run, self: k, partitions: n, shown: target.shown, silenceMs: offer.silenceMs, stopRequested: stopped, say });
      // Listening on the run's subject before saying yes: no window message can be missed.
      const ready = nc.flush().then(
        () => {
          reply({ t: 'accept', name: me, code });
          tr.watch([0]);
          accepted = { offer, tr };
          return true;
        },
        () => {
          tr.close();
          return false;
        },
      );
      joined = { run: offer.run, ready };
    },
  });
  while (!accepted && !fatal && !serverGone && !stopped()) await sleep(100);
  // Once joined, still answering its coordinator's repeated offer until the run starts (see above).
  const leaveJoin = () => {
    try {
      sub.unsubscribe();
    } catch {
      // the connection is gone
    }
  };
  if (!accepted) leaveJoin();
  if (fatal) {
    say(`vioemu: ${fatal}`);
    return 2;
  }
  if (!accepted) {
    say(serverGone ? `vioemu: NATS server at ${target.shown} went away` : 'vioemu: stopped before a coordinator came');
    return signals.exitCode ?? 1;
  }
  const { offer, tr } = accepted as { offer: Offer; tr: NatsTransport };
  try {
    if (!sameCode(offer.code, code)) say(`vioemu: warning: the coordinator ${offer.coordinator} runs other code (${offer.code.source}, node ${offer.code.node}; here ${code.source}, node ${code.node}): the result may differ from a local run`);
    say(`vioemu: partition ${k}/${n} of run ${offer.run} (${offer.point.scenario.name}${offer.point.label ? ` ${offer.point.label}` : ''}), coordinator ${offer.coordinator}`);
    // 2. Wait for the start (all partitions there), then run.
    while (!tr.go && !tr.cancelled && !tr.failure && !stopped()) await tr.changed();
    leaveJoin();
    if (!tr.go) {
      const why = tr.cancelled ?? tr.failure?.message ?? 'stopped before the run started';
      if (stopped()) tr.send(0, { t: 'abort', from: k, message: `partition ${k} (${me}) was stopped before the run started` });
      await nc.flush().catch(() => {});
      say(`vioemu: ${why}; nothing ran`);
      return signals.exitCode ?? 1;
    }
    if (tr.go[k] !== me) {
      // Its acceptance came too late: the coordinator gave partition k to another process.
      say(`vioemu: partition ${k} of run ${offer.run} went to ${tr.go[k]}; nothing ran here`);
      return 1;
    }
    const out = await tr.runPartition(pool, taskInput(offer, k));
    // 3. The output to the coordinator — unless the coordinator is what went silent: nobody would read it.
    const coordinatorGone = tr.gone.get(0);
    if (coordinatorGone !== undefined) {
      say(`vioemu: the coordinator ${offer.coordinator} is gone (${coordinatorGone}); partition ${k} stopped at virtual time ${formatNs(out.reachedNs)} and its output is lost (nothing was written)`);
      return signals.exitCode ?? 1;
    }
    const delivered = !tr.serverGone && tr.send(0, { t: 'result', from: k, name: me, out }) && (await nc.flush().then(() => true, () => false));
    if (!delivered) say(`vioemu: NATS server at ${target.shown} went away at virtual time ${formatNs(out.reachedNs)}; this partition's output did not reach the coordinator (it writes the partial result)`);
    else if (out.error && !out.error.echo) say(`vioemu: partition ${k} failed: ${out.error.name}: ${out.error.message} (virtual time ${formatNs(out.error.atNs)}); output sent to ${offer.coordinator}`);
    else if (out.error) say(`vioemu: partition ${k} stopped: another partition failed; output sent to ${offer.coordinator}`);
    else say(`vioemu: partition ${k}/${n} ${out.interrupted ? 'stopped' : 'done'} at virtual time ${formatNs(out.reachedNs)}: ${out.events} events, ${out.windows} windows; output sent to ${offer.coordinator}`);
    return signals.exitCode ?? (out.error || !delivered ? 1 : 0);
  } finally {
    tr.close();
  }
}
