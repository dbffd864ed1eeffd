namespace ErieCanal.Orleans.Sandbox.Hosting;

/// <summary>What the member's gateway address does with a connection.</summary>
public enum GatewayState
{
    /// <summary>Nothing listens: connections are refused.</summary>
    Stopped,

    /// <summary>Connections are accepted and relayed to the upstream (or answered by the stand-in).</summary>
    Serving,

    /// <summary>Connections are accepted and never answered, never closed; open ones stall.</summary>
    Blackholed,
}
