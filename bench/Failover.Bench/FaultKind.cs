namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>The faults, in the order they are played.</summary>
public enum FaultKind
{
    /// <summary>The member's gateway address refuses connections (the sandbox gateway is stopped).</summary>
    GatewayRefused,

    /// <summary>The member's gateway address accepts connections and never answers; open ones stall.</summary>
    GatewayBlackhole,

    /// <summary>The primary's pods answer 503 to every request.</summary>
    Pods5xx,

    /// <summary>The primary's Deployment is scaled to 0 replicas.</summary>
    ScaleToZero,

    /// <summary>The member's Kubernetes API server stops listening (the gateway and pods keep serving).</summary>
    ApiServerOffline,
}

public static class FaultKinds
{
    /// <summary>Member-level faults hit cluster-1 as a whole; the others hit each service's primary Deployment.</summary>
    public static bool IsMemberLevel(this FaultKind kind) => kind is FaultKind.GatewayRefused or FaultKind.GatewayBlackhole or FaultKind.ApiServerOffline;

    public static string Label(this FaultKind kind) => kind switch
    {
        FaultKind.GatewayRefused => "gateway refused",
        FaultKind.GatewayBlackhole => "gateway blackhole",
        FaultKind.Pods5xx => "pods answer 503",
        FaultKind.ScaleToZero => "scaled to zero",
        FaultKind.ApiServerOffline => "API server offline",
        _ => kind.ToString(),
    };
}
