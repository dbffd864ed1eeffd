namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>Where the silos keep grain state (and, when durable, their cluster membership).</summary>
public enum StoreKind
{
    /// <summary>In memory: one silo process (localhost clustering); a kill loses every grain's state.</summary>
    Memory,

    /// <summary>A real redis-server (<c>Orleans:Redis</c>): grain state and clustering.</summary>
    Redis,

    /// <summary>A real Azurite table endpoint (<c>Orleans:AzureStorage</c>): grain state and clustering.</summary>
    AzureTable,
}
