namespace ErieCanal.Orleans.Grains.Exports;

/// <summary>The options an export's decisions depend on.</summary>
/// <param name="IngressClass">The class of the Ingresses written for exports (the gateway's).</param>
/// <param name="HealthChecks">Whether the service's own health counts (off: every valid export is healthy, as in ErieCanal).</param>
/// <param name="ContributionRefresh">How often an unchanged contribution is sent again anyway.</param>
public sealed record ExportSettings(string IngressClass, bool HealthChecks, TimeSpan ContributionRefresh);
