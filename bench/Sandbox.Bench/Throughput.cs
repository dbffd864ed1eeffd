namespace ErieCanal.Orleans.Sandbox.Bench;

/// <summary>One measured batch of writes, with the CPU time the process (sandbox and client) spent on it.</summary>
public sealed record Throughput(string Operation, int Concurrency, int Ops, TimeSpan Elapsed, int Failures, TimeSpan ProcessCpu)
{
    public double OpsPerSecond => Ops / Elapsed.TotalSeconds;

    public double CpuMicrosecondsPerOp => ProcessCpu.TotalMicroseconds / Ops;
}
