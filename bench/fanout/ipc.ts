/**
 * What the orchestrator (run.ts) and the load process (driver.ts) say to each
 * other over Node's IPC channel. The driver holds the client sockets; the
 * orchestrator holds the servers and samples their memory and CPU.
 */

/** A Chorus client says hello with an agent token; a bare client names its rooms in the URL. */
export type ConnSpec = { token: string } | { rooms: string[] };

/** A connection of a set (by index) that sends into one channel (or bare room). */
export interface Sender {
  conn: number;
  channel: string;
}

export interface OpenCmd {
  cmd: 'open';
  set: string;
  /** ws:// URL; for bare clients the rooms are appended as a query. */
  url: string;
  conns: ConnSpec[];
  /** Connections opened at the same time. */
  concurrency: number;
}

export interface CloseCmd {
  cmd: 'close';
  set: string;
}

/** Deliveries at saturation: each sender keeps `window` messages in flight until it receives its own echo. */
export interface SaturateCmd {
  cmd: 'saturate';
  set: string;
  senders: Sender[];
  window: number;
  /** Client-side cap per sender (Chorus closes a connection that sends more than 50 frames/s). */
  ratePerSender: number;
  warmupMs: number;
  measureMs: number;
}

/** Send-to-receive latency at a paced, open-loop rate spread evenly over the senders. */
export interface LatencyCmd {
  cmd: 'latency';
  set: string;
  senders: Sender[];
  totalRate: number;
  /** Receivers per message (the channel's connected members, the sender included), for the delivered ratio. */
  fanout: number;
  warmupMs: number;
  measureMs: number;
}

/** Acknowledged sends: each sender sends, waits for the ack, sends again. */
export interface DurableCmd {
  cmd: 'durable';
  set: string;
  senders: Sender[];
  ratePerSender: number;
  warmupMs: number;
  measureMs: number;
}

export type DriverCmd = OpenCmd | CloseCmd | SaturateCmd | LatencyCmd | DurableCmd;

export interface OpenResult {
  opened: number;
  failed: number;
  firstError: string | null;
  ms: number;
}

export interface CloseResult {
  closed: number;
}

/** Connections the server closed during a scenario, by close code. */
export type Closes = Record<string, number>;

export interface WindowStats {
  /** Driver event-loop utilisation over the measured window (1 = the driver was saturated). */
  driverElu: number;
  /** Close codes received during the scenario. */
  closes: Closes;
  /** Error frames received during the scenario, and the first one. */
  errors: number;
  firstError: string | null;
}

export interface SaturateResult extends WindowStats {
  measuredMs: number;
  deliveries: number;
  deliveriesPerSec: number;
  messagesPerSec: number;
  avgFrameBytes: number;
}

export interface LatencyResult extends WindowStats {
  measuredMs: number;
  sent: number;
  /** Sends not made because the server was more than 0.5 s of sends behind (counted in the measured window). */
  skipped: number;
  samples: number;
  /** Deliveries received / deliveries expected for the messages sent in the window. */
  deliveredRatio: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  achievedRate: number;
  deliveriesPerSec: number;
}

export interface DurableResult extends WindowStats {
  measuredMs: number;
  acked: number;
  ackedPerSec: number;
  ackP50Ms: number;
  ackP99Ms: number;
  /** The most the senders may send under the client-side rate cap; a result near it says the cap, not the server, was the limit. */
  capPerSec: number;
}

export interface ResultOf {
  open: OpenResult;
  close: CloseResult;
  saturate: SaturateResult;
  latency: LatencyResult;
  durable: DurableResult;
}

export interface Request {
  id: number;
  body: DriverCmd;
}

export type Reply = { kind: 'reply'; id: number; ok: true; result: unknown } | { kind: 'reply'; id: number; ok: false; error: string };

/** The driver marks the measured window so the orchestrator can sample server CPU over exactly that span. */
export interface WindowMark {
  kind: 'window';
  phase: 'start' | 'end';
}

export type DriverMessage = Reply | WindowMark;
