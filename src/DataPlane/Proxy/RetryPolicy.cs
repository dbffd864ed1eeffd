namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>Where the proxy retries an idempotent request whose first attempt failed (at most one retry).</summary>
public enum RetryPolicy
{
    /// <summary>
    /// On a refused or reset connection or a per-try timeout, on any other endpoint (Active first, then Standby);
    /// on a 5xx answer, on another endpoint of the same or a better tier.
    /// </summary>
    AnyEndpoint = 0,

    /// <summary>
    /// As ErieCanal's sidecar: only when the endpoint could not be reached, and only on a Standby endpoint (a
    /// FailOver standby); never among Active endpoints, never after a 5xx.
    /// </summary>
    StandbyOnly = 1,
}
