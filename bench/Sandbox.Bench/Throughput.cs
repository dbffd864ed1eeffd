namespace ErieCanal.Orleans.Sandbox.Bench;

/// <summary>One measured batch of writes.</summary>
public sealed record Throughput(string Operation, int Concurrency, int Ops, TimeSpan Elapsed, int Failures)
{
    public double OpsPerSecond => Ops / Elapsed.TotalSeconds;
}
