import { io, type Socket } from 'socket.io-client';
import { eventually } from './eventually';

export interface LiveEvent {
  event: string;
  payload: any;
}

export interface LiveClientOptions {
  /** WebSocket only unless told; `['polling']` is HTTP long-polling only (SOCKET_IO_POLLING=true). */
  transports?: ('websocket' | 'polling')[];
}

/** A Socket.IO client of one user that records every event it receives. */
export class LiveClient {
  readonly received: LiveEvent[] = [];
  readonly socket: Socket;
  private ready = false;

  constructor(url: string, token: string, options: LiveClientOptions = {}) {
    this.socket = io(url, {
      transports: options.transports ?? ['websocket'],
      auth: { token },
      reconnection: false,
      forceNew: true,
      // In Node, engine.io-client keeps cookies (a load balancer's sticky cookie) only with this:
      // a long-polling session's requests must all reach the instance that holds the session.
      withCredentials: true,
    });
    this.socket.onAny((event: string, payload: unknown) => this.received.push({ event, payload }));
    this.socket.on('session:ready', () => (this.ready = true));
  }

  static async connect(url: string, token: string, options: LiveClientOptions = {}): Promise<LiveClient> {
    const client = new LiveClient(url, token, options);
    await eventually(async () => client.ready, 20_000, 'session:ready');
    return client;
  }

  of(event: string, match: (p: any) => boolean = () => true): LiveEvent[] {
    return this.received.filter((r) => r.event === event && match(r.payload));
  }

  waitFor(event: string, match: (p: any) => boolean = () => true, timeoutMs = 30_000): Promise<LiveEvent> {
    return eventually(async () => this.of(event, match)[0], timeoutMs, `${event}`);
  }

  close(): void {
    this.socket.disconnect();
  }
}
