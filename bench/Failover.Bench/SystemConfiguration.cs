using ErieCanal.Orleans.DataPlane.Proxy;
using Microsoft.Extensions.Configuration;

namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>
/// One side of the comparison: settings for the silo (configuration keys, e.g. <c>ErieCanal:Health:Enabled</c>) and
/// for every member's client-side proxy (keys relative to <see cref="ProxyOptions"/>, e.g. <c>Retry</c>). Everything
/// not listed keeps the production default.
/// </summary>
public sealed record SystemConfiguration(string Name, string Description, IReadOnlyDictionary<string, string?> Silo, IReadOnlyDictionary<string, string?> Proxy)
{
    /// <summary>The silo's health-checking switch (one place, should the health work name it differently).</summary>
    public const string HealthEnabledKey = "ErieCanal:Health:Enabled";

    /// <summary>The proxy's passive ejection switch and retry policy (one place, should the data-plane work name them differently).</summary>
    public const string ProxyEjectionEnabledKey = "Ejection:Enabled";

    public const string ProxyRetryKey = "Retry";

    public const string ProxyRetryStandbyOnly = "StandbyOnly";

    /// <summary>The proxy's per-try timeout; a negative millisecond (<see cref="Timeout.InfiniteTimeSpan"/>) turns it off.</summary>
    public const string ProxyTryTimeoutKey = "TryTimeout";

    public const string ProxyTryTimeoutOff = "-00:00:00.001";

    /// <summary>ErieCanal.Orleans as shipped: every setting at its default.</summary>
    public static SystemConfiguration Ours { get; } = new(
        "ErieCanal.Orleans",
        "defaults",
        new Dictionary<string, string?>(),
        new Dictionary<string, string?>());

    /// <summary>
    /// What ErieCanal does: no health checking (routing changes only when exports change), no passive ejection, and a
    /// failed request retried only on a FailOver standby.
    /// </summary>
    public static SystemConfiguration ErieCanalEquivalent { get; } = new(
        "ErieCanal-equivalent",
        $"{HealthEnabledKey}=false; proxy {ProxyEjectionEnabledKey}=false, {ProxyRetryKey}={ProxyRetryStandbyOnly}, no per-try timeout",
        new Dictionary<string, string?> { [HealthEnabledKey] = "false" },
        new Dictionary<string, string?> { [ProxyEjectionEnabledKey] = "false", [ProxyRetryKey] = ProxyRetryStandbyOnly, [ProxyTryTimeoutKey] = ProxyTryTimeoutOff });

    /// <summary>Applies <see cref="Proxy"/> to a member's proxy options (keys the options do not have are ignored).</summary>
    public void ConfigureProxy(ProxyOptions options) =>
        new ConfigurationBuilder().AddInMemoryCollection(Proxy).Build().Bind(options);
}
