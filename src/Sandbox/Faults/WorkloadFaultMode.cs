namespace ErieCanal.Orleans.Sandbox.Faults;

/// <summary>How the pods of a faulted workload answer.</summary>
public enum WorkloadFaultMode
{
    /// <summary>Normally: 200 and the pod name.</summary>
    None,

    /// <summary>With a fixed error status.</summary>
    Error,

    /// <summary>Normally, after an added delay.</summary>
    Latency,

    /// <summary>Never: the request is read and left unanswered.</summary>
    Hang,
}
