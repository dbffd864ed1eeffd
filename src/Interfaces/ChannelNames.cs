namespace ErieCanal.Orleans.Interfaces;

/// <summary>The broadcast channels that fan import changes and member health out to the members' writers.</summary>
public static class ChannelNames
{
    /// <summary>
    /// The broadcast channel provider: a push-based grain stream (no queue polling), fire-and-forget, which the
    /// level-triggered design tolerates (versioned notifications, periodic repair).
    /// </summary>
    public const string Provider = "erie-canal";

    /// <summary>Per member (channel key: clusterKey): <see cref="ImportUpdate"/> notifications for its writer.</summary>
    public const string Imports = "imports";

    /// <summary>Per member (channel key: clusterKey): <see cref="Mcs.McsImportUpdate"/> notifications for its MCS writer.</summary>
    public const string McsImports = "mcs-imports";

    /// <summary>Every member's health decisions (<see cref="MemberHealth"/>), one channel key: <see cref="HealthKey"/>.</summary>
    public const string Health = "health";

    public const string HealthKey = "all";
}
