import { io, type Socket } from 'socket.io-client';
import { eventually } from './eventually';

export interface LiveEvent {
  event: string;
  payload: any;
}

/** A Socket.IO client of one user that records every event it receives. */
export class LiveClient {
  readonly received: LiveEvent[] = [];
  readonly socket: Socket;
  private ready = false;

  constructor(url: string, token: string) {
    this.socket = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
    this.socket.onAny((event: string, payload: unknown) => this.received.push({ event, payload }));
    this.socket.on('session:ready', () => (this.ready = true));
  }

  static async connect(url: string, token: string): Promise<LiveClient> {
    const client = new LiveClient(url, token);
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
