namespace ErieCanal.Orleans.Interfaces;

/// <summary>Channel provider, channel namespaces and the grain storage name.</summary>
public static class StreamNames
{
    /// <summary>
    /// The broadcast channel provider: a push-based grain stream (no queue polling), fire-and-forget, which the
    /// level-triggered design tolerates (versioned notifications, periodic repair).
    /// </summary>
    public const string Provider = "erie-canal";

    /// <summary>Per member (channel key: clusterKey): <see cref="ImportUpdate"/> notifications for its writer.</summary>
    public const string Imports = "imports";

    public const string StorageName = "erie-canal";
}
