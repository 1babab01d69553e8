// A Linux tasklet (kernel/softirq.c, 2.6.18): tasklet_schedule queues it on
// the CPU that calls it unless it is already scheduled (then it is a no-op);
// it runs on that CPU in the TASKLET softirq, never on two CPUs at once.
// tasklet_action clears the scheduled bit before calling the function, so the
// function may reschedule it (netback's net_rx_action does, while rx_queue
// holds packets) and another CPU may schedule it meanwhile — that CPU then
// runs it once this run is over.

export class Tasklet<Cpu> {
  /** CPU it is scheduled on (TASKLET_STATE_SCHED), or null. */
  scheduledOn: Cpu | null = null;
  /** TASKLET_STATE_RUN. */
  running = false;
  /** Runs so far, per CPU it ran on (index by the caller's key). */
  runs = 0;

  constructor(
    readonly name: string,
    /** The CPU's softirq must run (wake its VCPU if it sleeps). */
    private readonly raise: (cpu: Cpu) => void,
  ) {}

  schedule(cpu: Cpu): void {
    if (this.scheduledOn !== null) return;
    this.scheduledOn = cpu;
    if (!this.running) this.raise(cpu);
  }

  /** Pending on `cpu`: scheduled there and not running elsewhere. */
  pendingOn(cpu: Cpu): boolean {
    return this.scheduledOn === cpu && !this.running;
  }

  /** tasklet_action takes it: clear SCHED, set RUN. */
  begin(): void {
    this.scheduledOn = null;
    this.running = true;
    this.runs++;
  }

  /** The function returned: a CPU that scheduled it meanwhile may run it now. */
  end(): void {
    this.running = false;
    if (this.scheduledOn !== null) this.raise(this.scheduledOn);
  }
}
