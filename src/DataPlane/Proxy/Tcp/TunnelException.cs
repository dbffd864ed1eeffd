using ErieCanal.Orleans.DataPlane.Telemetry;

namespace ErieCanal.Orleans.DataPlane.Proxy.Tcp;

/// <summary>A tunnel or connection that could not be opened: why (the failure reason) and what the other end said.</summary>
internal sealed class TunnelException(AttemptFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public AttemptFailure Failure { get; } = failure;

    /// <summary>The gateway's status when it answered (a refusal), else null.</summary>
    public int? Status { get; init; }
}
