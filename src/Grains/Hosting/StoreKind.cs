namespace ErieCanal.Orleans.Grains.Hosting;

/// <summary>Where grain state and cluster membership live.</summary>
public enum StoreKind
{
    /// <summary>In the silo's memory: one silo, nothing survives a restart (the embedded default and tests).</summary>
    Memory,

    /// <summary>Redis (<c>Orleans:Redis</c>): grain state and Redis clustering.</summary>
    Redis,

    /// <summary>Azure Table storage (<c>Orleans:AzureStorage</c>): grain state and Azure Table clustering.</summary>
    AzureTable,
}
