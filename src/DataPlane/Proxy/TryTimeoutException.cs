namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>An attempt got no response headers within the per-try timeout.</summary>
public sealed class TryTimeoutException : TimeoutException
{
    public TryTimeoutException()
    {
    }

    public TryTimeoutException(string message)
        : base(message)
    {
    }

    public TryTimeoutException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public TryTimeoutException(TimeSpan timeout, Exception inner)
        : base($"no response headers within {timeout.TotalMilliseconds:0} ms", inner)
    {
    }
}
