// The retransmission timer's value (RFC 6298): SRTT and RTTVAR from round-trip
// samples, RTO = SRTT + max(G, 4 RTTVAR), clamped to [min, max]; 1 s before the first
// sample; doubled on each expiry (backoff) and kept doubled until a new sample
// (Karn's rule: a sample is never taken from a retransmitted segment, which the
// connection ensures by timing only segments sent once). The minimum is Linux's
// 200 ms rather than RFC 6298's 1 s (a tunable).

export interface RtoLimits { initial: number; min: number; max: number; granularity: number }
export const RTO_LIMITS: RtoLimits = { initial: 1000, min: 200, max: 120_000, granularity: 1 };

export class RtoEstimator {
  srtt: number | undefined;
  rttvar = 0;
  private base: number;
  backoff = 0;

  constructor(private readonly limits: RtoLimits = RTO_LIMITS) { this.base = limits.initial; }

  get rto(): number { return Math.min(this.limits.max, this.base * 2 ** this.backoff); }

  sample(rtt: number): void {
    const r = Math.max(0, rtt);
    if (this.srtt === undefined) { this.srtt = r; this.rttvar = r / 2; }
    else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.base = Math.min(this.limits.max, Math.max(this.limits.min, this.srtt + Math.max(this.limits.granularity, 4 * this.rttvar)));
    this.backoff = 0;
  }

  expired(): void { if (this.rto < this.limits.max) this.backoff++; }
}
