namespace ErieCanal.Orleans.Grains.Hosting;

/// <summary>
/// The durable store (section <c>Orleans</c>): at most one of a Redis or an Azure Storage connection string. It holds
/// every grain's state and the cluster's membership table; with neither, both stay in memory.
/// </summary>
public sealed class StoreOptions
{
    public const string Section = "Orleans";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis:6379</c>.</summary>
    public string? Redis { get; set; }

    /// <summary>An Azure Storage connection string (the account's Table endpoint is used).</summary>
    public string? AzureStorage { get; set; }

    public StoreKind Kind => !string.IsNullOrWhiteSpace(AzureStorage) ? StoreKind.AzureTable
        : !string.IsNullOrWhiteSpace(Redis) ? StoreKind.Redis
        : StoreKind.Memory;
}
