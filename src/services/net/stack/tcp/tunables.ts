// TCP's tunables, one line each (Linux's defaults unless said otherwise). The stack's
// owner may override any of them; tests shorten the long ones.

export interface TcpTunables {
  /** Maximum segment lifetime; TIME_WAIT lasts 2 MSL (Linux: 60 s in all). */
  msl: number;
  /** Delayed-ACK timeout (Linux's minimum, 40 ms); every second full segment is acked at once. */
  delayedAck: number;
  /** Keepalive: idle time before the first probe, between probes, and probes before giving up. */
  keepIdle: number;
  keepInterval: number;
  keepCount: number;
  /** Retransmissions of data before the connection fails (tcp_retries2), and of a SYN (tcp_syn_retries). */
  retries: number;
  synRetries: number;
  /** Our window-scale shift (Linux's usual 7). */
  windowScale: number;
  /** An orphaned connection (closed by its application) stays in FIN_WAIT_2 at most this long. */
  finTimeout: number;
  /** Longest persist-probe interval. */
  persistMax: number;
  /** SACK (RFC 2018, with RFC 6675 loss recovery): 1 to offer it in our SYNs and use it when the peer does, 0 not to (Linux's tcp_sack). */
  sack: number;
  /**
   * Buffer autotuning (Linux's tcp_moderate_rcvbuf and send-buffer growth): a
   * connection whose application did not set SO_RCVBUF grows its receive buffer to
   * four times what the application read in the last round trip, up to `rmemMax`
   * (tcp_rmem[2]); one that did not set SO_SNDBUF grows its send buffer to twice the
   * window it may have in flight, up to `wmemMax` (tcp_wmem[2]). All connections'
   * growth together stays within `memMax` (tcp_mem's role). 0 for `autotune` turns it off.
   */
  autotune: number;
  rmemMax: number;
  wmemMax: number;
  memMax: number;
  /** Connections at most; beyond it the oldest in TIME_WAIT is dropped for a new one (Linux's tcp_max_tw_buckets), or the SYN is. */
  maxConnections: number;
}

export const TCP_TUNABLES: TcpTunables = {
  msl: 30_000, delayedAck: 40, keepIdle: 7_200_000, keepInterval: 75_000, keepCount: 9,
  retries: 15, synRetries: 6, windowScale: 7, finTimeout: 60_000, persistMax: 60_000, sack: 1, maxConnections: 8192,
  autotune: 1, rmemMax: 6 << 20, wmemMax: 4 << 20, memMax: 64 << 20,
};
