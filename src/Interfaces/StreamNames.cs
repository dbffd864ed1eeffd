namespace ErieCanal.Orleans.Interfaces;

/// <summary>Stream provider and namespaces.</summary>
public static class StreamNames
{
    public const string Provider = "erie-canal";

    /// <summary>Per member (stream key: clusterKey): <see cref="ImportUpdate"/> notifications for its writer.</summary>
    public const string Imports = "imports";

    public const string StorageName = "erie-canal";

    public const string PubSubStore = "PubSubStore";
}
