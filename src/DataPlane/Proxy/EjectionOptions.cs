namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// Passive outlier detection (Envoy's consecutive-failure ejection): an endpoint whose attempts fail
/// <see cref="ConsecutiveFailures"/> times in a row is taken out of rotation for a cool-off that starts at
/// <see cref="BaseEjectionTime"/> and doubles on each repeated ejection up to <see cref="MaxEjectionTime"/>.
/// Configuration section "DataPlane:Ejection" in a container.
/// </summary>
public sealed class EjectionOptions
{
    /// <summary>False turns ejection off: every request may go to every routed endpoint (as ErieCanal's sidecar does).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Failed attempts in a row (refused or reset connection, per-try timeout, 5xx) that eject an endpoint; a success resets the count.</summary>
    public int ConsecutiveFailures { get; set; } = 5;

    /// <summary>The first cool-off; each ejection that follows another without a healthy spell in between doubles it.</summary>
    public TimeSpan BaseEjectionTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest cool-off, however often an endpoint is ejected.</summary>
    public TimeSpan MaxEjectionTime { get; set; } = TimeSpan.FromSeconds(30);
}
